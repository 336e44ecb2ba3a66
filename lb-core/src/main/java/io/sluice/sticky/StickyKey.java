package io.sluice.sticky;

import io.sluice.balance.KeyHash;
import java.util.Arrays;

/**
 * What identifies "the same client" for stickiness: the source address, or its network prefix.
 *
 * <p>The hash is {@link KeyHash} over the key bytes, identical on every node and JVM, so Maglev
 * sends the same client to the same backend everywhere.
 */
public final class StickyKey {

    private final byte[] bytes;
    private final long hash;

    StickyKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = KeyHash.of(bytes);
    }

    /** A key from its bytes, as another process sent them (handover); the bytes are copied. */
    public static StickyKey of(byte[] bytes) {
        return new StickyKey(bytes.clone());
    }

    /** Stable 64-bit hash of the key; what Maglev looks up. */
    public long hash() {
        return hash;
    }

    /** The key bytes (a copy): the address, masked to the prefix where one is configured. */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StickyKey other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hash);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (bytes.length == 4) {
            for (int i = 0; i < 4; i++) {
                sb.append(i == 0 ? "" : ".").append(bytes[i] & 0xff);
            }
        } else {
            for (int i = 0; i < bytes.length; i += 2) {
                sb.append(i == 0 ? "" : ":").append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
            }
        }
        return sb.toString();
    }
}
