package io.sluice.sticky;

import io.sluice.config.StickyConfig;
import io.sluice.config.StickyKeyType;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Turns a client address into its {@link StickyKey} as a pool's {@code sticky} config says.
 *
 * <p>{@code source-prefix} exists for mobile clients behind carrier NAT, whose address changes
 * within a /24 (or IPv6 /64) between reconnects. IPv4-mapped IPv6 addresses are keyed as IPv4
 * so a dual-stack listener sees one client as one key.
 */
public final class StickyKeyExtractor {

    private final StickyKeyType type;
    private final int prefixV4;
    private final int prefixV6;

    public StickyKeyExtractor(StickyConfig config) {
        this.type = config.key();
        this.prefixV4 = config.prefixV4();
        this.prefixV6 = config.prefixV6();
    }

    /** Whether this pool is sticky at all. */
    public boolean enabled() {
        return type != StickyKeyType.NONE;
    }

    /**
     * The key for {@code client}; for a pool without stickiness, the full address (still useful to
     * a hashing balancer, never stored).
     */
    public StickyKey keyOf(InetAddress client) {
        byte[] raw = canonicalBytes(client);
        if (type == StickyKeyType.SOURCE_PREFIX) {
            mask(raw, raw.length == 4 ? prefixV4 : prefixV6);
        }
        return new StickyKey(raw);
    }

    private static byte[] canonicalBytes(InetAddress address) {
        byte[] raw = address.getAddress();
        if (address instanceof Inet6Address && isIpv4Mapped(raw)) {
            return new byte[] {raw[12], raw[13], raw[14], raw[15]};
        }
        if (address instanceof Inet4Address || raw.length == 16) {
            return raw;
        }
        throw new IllegalArgumentException("unexpected address " + address);
    }

    private static boolean isIpv4Mapped(byte[] raw) {
        for (int i = 0; i < 10; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return raw[10] == (byte) 0xff && raw[11] == (byte) 0xff;
    }

    private static void mask(byte[] raw, int prefixBits) {
        for (int i = 0; i < raw.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixBits - i * 8));
            raw[i] &= (byte) (0xff << (8 - keep));
        }
    }
}
