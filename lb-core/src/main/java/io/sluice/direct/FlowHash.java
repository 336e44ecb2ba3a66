package io.sluice.direct;

import io.sluice.config.DirectListenerConfig.FlowKey;
import java.net.Inet4Address;

/**
 * The slot the kernel gives a flow: nftables' {@code jhash <fields> mod M seed S}, computed here the
 * way the kernel does (net/netfilter/nft_hash.c), so {@code explain} and the tests can say which
 * Maglev slot, and so which backend, a flow lands on without asking the kernel.
 *
 * <p>The hash is Bob Jenkins' lookup3 as in linux/jhash.h ({@code jhash()}: initial value
 * {@code 0xdeadbeef + length + seed}, 12-byte rounds of {@code __jhash_mix}, the tail added byte by
 * byte, {@code __jhash_final}), over the flow fields as nftables lays them out in its registers:
 * each field padded to 4 bytes with zeros, ports in network byte order, words read in the CPU's order
 * (little-endian on the x86 and arm64 machines we run on). The slot is {@code reciprocal_scale(h, M)}:
 * {@code (h * M) >>> 32}, not {@code h % M}. {@code FlowHashTest} pins values the kernel computed.
 *
 * <p>Pure and thread-safe.
 */
public final class FlowHash {

    private static final int JHASH_INITVAL = 0xdeadbeef;

    private FlowHash() {
    }

    /** The slot in {@code [0, tableSize)} of a flow, as the rule {@link NftScript} writes computes it. */
    public static int slot(FlowKey key, Inet4Address source, int sourcePort, int destinationPort, int tableSize,
                           long seed) {
        return scale(jhash(keyBytes(key, source, sourcePort, destinationPort), (int) seed), tableSize);
    }

    /** nft's register image of the key's fields: address; for the 5-tuple also both ports, each in 4 bytes. */
    static byte[] keyBytes(FlowKey key, Inet4Address source, int sourcePort, int destinationPort) {
        byte[] address = source.getAddress();
        if (key == FlowKey.SOURCE) {
            return address;
        }
        return new byte[] {address[0], address[1], address[2], address[3],
            (byte) (sourcePort >>> 8), (byte) sourcePort, 0, 0,
            (byte) (destinationPort >>> 8), (byte) destinationPort, 0, 0};
    }

    /** {@code reciprocal_scale}: maps a 32-bit hash onto {@code [0, range)} by multiplication. */
    static int scale(int hash, int range) {
        return (int) (((hash & 0xFFFF_FFFFL) * range) >>> 32);
    }

    /** linux/jhash.h {@code jhash(key, length, initval)}. */
    static int jhash(byte[] k, int seed) {
        int length = k.length;
        int a = JHASH_INITVAL + length + seed;
        int b = a;
        int c = a;
        int i = 0;
        while (length > 12) {
            a += word(k, i);
            b += word(k, i + 4);
            c += word(k, i + 8);
            // __jhash_mix
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            length -= 12;
            i += 12;
        }
        if (length == 0) {
            return c;
        }
        // The kernel's fall-through switch: byte n of the tail goes into a, b or c at shift 8*(n%4).
        for (int n = length - 1; n >= 0; n--) {
            int v = (k[i + n] & 0xFF) << (8 * (n % 4));
            if (n >= 8) {
                c += v;
            } else if (n >= 4) {
                b += v;
            } else {
                a += v;
            }
        }
        // __jhash_final
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    /** A little-endian 32-bit word. */
    private static int word(byte[] k, int i) {
        return (k[i] & 0xFF) | (k[i + 1] & 0xFF) << 8 | (k[i + 2] & 0xFF) << 16 | (k[i + 3] & 0xFF) << 24;
    }
}
