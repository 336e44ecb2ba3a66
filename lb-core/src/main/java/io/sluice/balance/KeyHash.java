package io.sluice.balance;

import java.nio.charset.StandardCharsets;

/**
 * Stable 64-bit hashing for sticky keys and Maglev permutations.
 *
 * <p>The result depends only on the input bytes and the seed: never on the JVM, the platform's byte
 * order or the process, so every node of a cluster computes the same value. This is our own
 * implementation of the published XXH64 algorithm (Yann Collet's specification: 32-byte stripes in
 * four lanes, a tail of 8/4/1-byte steps, then an avalanche), chosen because it is fast, has good
 * dispersion and has public test vectors to check against.
 *
 * <p><b>Never change the output.</b> Maglev picks a backend from {@code of(clientKey)} and places
 * backends with {@code of(name, seed)}: a different function would reshuffle every client and every
 * table in production, and two nodes on different versions would disagree. {@code KeyHashTest}
 * pins golden values for that reason.
 */
public final class KeyHash {

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private KeyHash() {
    }

    /** Hash of {@code bytes} with seed 0. */
    public static long of(byte[] bytes) {
        return of(bytes, 0L);
    }

    /** Hash of the UTF-8 encoding of {@code s}. */
    public static long of(String s, long seed) {
        return of(s.getBytes(StandardCharsets.UTF_8), seed);
    }

    /** Hash of {@code bytes}; different seeds give independent hash functions. */
    public static long of(byte[] bytes, long seed) {
        int len = bytes.length;
        int i = 0;
        long acc;
        if (len >= 32) {
            long v1 = seed + P1 + P2;
            long v2 = seed + P2;
            long v3 = seed;
            long v4 = seed - P1;
            for (int limit = len - 32; i <= limit; i += 32) {
                v1 = round(v1, le64(bytes, i));
                v2 = round(v2, le64(bytes, i + 8));
                v3 = round(v3, le64(bytes, i + 16));
                v4 = round(v4, le64(bytes, i + 24));
            }
            acc = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            acc = merge(acc, v1);
            acc = merge(acc, v2);
            acc = merge(acc, v3);
            acc = merge(acc, v4);
        } else {
            acc = seed + P5;
        }
        acc += len;
        for (; i + 8 <= len; i += 8) {
            acc ^= round(0, le64(bytes, i));
            acc = Long.rotateLeft(acc, 27) * P1 + P4;
        }
        if (i + 4 <= len) {
            acc ^= (le32(bytes, i) & 0xFFFF_FFFFL) * P1;
            acc = Long.rotateLeft(acc, 23) * P2 + P3;
            i += 4;
        }
        for (; i < len; i++) {
            acc ^= (bytes[i] & 0xFFL) * P5;
            acc = Long.rotateLeft(acc, 11) * P1;
        }
        return avalanche(acc);
    }

    private static long round(long acc, long lane) {
        return Long.rotateLeft(acc + lane * P2, 31) * P1;
    }

    private static long merge(long acc, long v) {
        return (acc ^ round(0, v)) * P1 + P4;
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        return h ^ (h >>> 32);
    }

    /** Little-endian by definition, whatever the platform: part of what makes the hash stable. */
    private static long le64(byte[] b, int i) {
        return (b[i] & 0xFFL)
                | (b[i + 1] & 0xFFL) << 8
                | (b[i + 2] & 0xFFL) << 16
                | (b[i + 3] & 0xFFL) << 24
                | (b[i + 4] & 0xFFL) << 32
                | (b[i + 5] & 0xFFL) << 40
                | (b[i + 6] & 0xFFL) << 48
                | (b[i + 7] & 0xFFL) << 56;
    }

    private static int le32(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }
}
