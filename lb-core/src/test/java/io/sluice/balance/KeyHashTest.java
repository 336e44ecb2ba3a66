package io.sluice.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeyHashTest {

    /**
     * Golden values. If one of these fails, the hash function changed: in production that moves
     * every sticky client to another backend and makes nodes on different versions disagree.
     * Do not "fix" the expected values; fix the function.
     */
    @Test
    void goldenValuesArePinned() {
        // The first three are the published XXH64 test vectors (seed 0).
        assertEquals(0xEF46DB3751D8E999L, KeyHash.of(new byte[0]));
        assertEquals(0xD24EC4F1A98C6E5BL, KeyHash.of("a", 0));
        assertEquals(0x44BC2CF5AD770999L, KeyHash.of("abc", 0));
        // Every code path: < 4, 4..7 and 8..31 byte tails, and the 32-byte stripe loop.
        assertEquals(0x066ED728FCEEB3BEL, KeyHash.of("message digest", 0));
        assertEquals(0xCFE1F278FA89835CL, KeyHash.of("abcdefghijklmnopqrstuvwxyz", 0));
        assertEquals(0xE04A477F19EE145DL, KeyHash.of(
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890", 0));
        assertEquals(0xD5AFBA1336A3BE4BL, KeyHash.of("", 1));
        assertEquals(0xDEC2BC81C3CD46C6L, KeyHash.of("a", 1));
        assertEquals(0x0B795E8B945F7051L, KeyHash.of(
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890", 1));
    }

    @Test
    void maglevSeedsArePinned() {
        // The Maglev permutation seeds are part of the cross-node contract too.
        assertEquals(0x5EED0FF5E7L, MaglevTable.OFFSET_SEED);
        assertEquals(0x5EED05C19L, MaglevTable.SKIP_SEED);
    }

    @Test
    void stringIsUtf8AndSeedlessIsSeedZero() {
        String s = "bäckend-€-1";
        assertEquals(KeyHash.of(s.getBytes(StandardCharsets.UTF_8), 42), KeyHash.of(s, 42));
        assertEquals(KeyHash.of(s.getBytes(StandardCharsets.UTF_8), 0), KeyHash.of(s.getBytes(StandardCharsets.UTF_8)));
        assertNotEquals(KeyHash.of(s, 1), KeyHash.of(s, 2));
    }

    @Test
    void everyLengthAndByteMatters() {
        byte[] data = new byte[100];
        for (int len = 0; len < data.length; len++) {
            byte[] a = Arrays.copyOf(data, len);
            byte[] b = Arrays.copyOf(data, len + 1);
            assertNotEquals(KeyHash.of(a), KeyHash.of(b), "length " + len);
        }
        byte[] base = "192.168.1.17:51234".getBytes(StandardCharsets.UTF_8);
        long h = KeyHash.of(base);
        for (int i = 0; i < base.length; i++) {
            byte[] flipped = base.clone();
            flipped[i] ^= 1;
            assertNotEquals(h, KeyHash.of(flipped), "bit flip at byte " + i);
        }
    }

    @Test
    void sequentialKeysSpreadEvenlyOverBuckets() {
        // Client addresses are highly structured; the low bits and the unsigned remainder must
        // still spread them evenly (this is how Maglev picks a slot).
        int buckets = 97;
        int keys = 200_000;
        int[] counts = new int[buckets];
        for (int i = 0; i < keys; i++) {
            String key = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
            counts[(int) Long.remainderUnsigned(KeyHash.of(key, 0), buckets)]++;
        }
        double expected = (double) keys / buckets;
        double chi2 = 0;
        for (int c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // 96 degrees of freedom: mean 96, sd ~13.9; 170 is beyond p = 1e-5.
        assertTrue(chi2 < 170, "chi-square " + chi2);
    }

    @Test
    void avalancheFlipsAboutHalfTheOutputBits() {
        long totalFlipped = 0;
        int trials = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] in = ("key-" + i).getBytes(StandardCharsets.UTF_8);
            long h = KeyHash.of(in, 0);
            for (int bit = 0; bit < 8; bit++) {
                byte[] f = in.clone();
                f[f.length - 1] ^= (byte) (1 << bit);
                totalFlipped += Long.bitCount(h ^ KeyHash.of(f, 0));
                trials++;
            }
        }
        double mean = (double) totalFlipped / trials;
        assertTrue(mean > 31 && mean < 33, "mean flipped bits " + mean);
    }
}
