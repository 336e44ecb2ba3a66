package io.sluice.balance;

import io.sluice.backend.Backend;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Maglev consistent-hashing lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software
 * Network Load Balancer", NSDI 2016, §3.4).
 *
 * <p><b>Population (§3.4, "Pseudocode 1").</b> Each backend gets a permutation of the {@code M}
 * slots: {@code offset = h1(name) mod M}, {@code skip = h2(name) mod (M-1) + 1}, and its j-th
 * preference is {@code (offset + j * skip) mod M}. Because {@code M} is prime and
 * {@code 1 <= skip < M}, every permutation visits every slot. Backends then take turns; on its turn
 * a backend claims its next preferred slot that is still empty, until the table is full. With equal
 * weights every backend claims exactly one slot per round, so shares differ by at most one slot.
 *
 * <p><b>Weights.</b> The paper only says weights change how often a backend takes a turn. Our
 * scheme: in round {@code r = 1, 2, ...} a backend of weight {@code w} takes a turn only while
 * {@code filled * maxWeight < r * w}. The heaviest backend takes every round; one of half its
 * weight every other round; so shares are proportional to weight to within a slot or two. With
 * equal weights this is exactly the paper's loop.
 *
 * <p><b>Same table on every node.</b> Backends are sorted by name before population (the turn
 * order) and permutations come from {@link KeyHash} of the name, so nodes with the same backend
 * names, weights and {@code M} build the same table whatever order their configs list backends
 * in; {@link #fingerprint()} lets operators compare tables across nodes cheaply.
 *
 * <p><b>Disruption (§3.4, §5.3).</b> Removing a backend frees its slots and perturbs only a few
 * percent of the others; see docs/balancing.md for the numbers our tests measure. A larger
 * {@code M} gives finer weight resolution and less disruption at the cost of memory (4 bytes a
 * slot) and build time (roughly {@code M log M}).
 *
 * <p>Immutable and safe to share between threads once built.
 */
public final class MaglevTable {

    /** Largest accepted table size: a sanity bound (64 MiB of slots), far above any useful M. */
    public static final int MAX_SIZE = 1 << 24;

    /** Default table size: prime, the paper's "small" table, fine for up to a few hundred backends. */
    public static final int DEFAULT_SIZE = 65537;

    // Two fixed seeds make h1 and h2 independent functions of the name. Never change them: that
    // would move every client in production (see KeyHash).
    static final long OFFSET_SEED = 0x5EED_0FF5_E7L;
    static final long SKIP_SEED = 0x5EED_05C1_9L;
    private static final long FINGERPRINT_SEED = 0x0F1A_6E55L;

    private final Backend[] backends;   // sorted by name; entries index into it
    private final int[] entries;        // slot -> backend index, -1 only when there are no backends
    private final long fingerprint;
    private final Map<String, Integer> slotsByBackend;

    private MaglevTable(Backend[] backends, int[] entries) {
        this.backends = backends;
        this.entries = entries;
        this.fingerprint = computeFingerprint(backends, entries);
        this.slotsByBackend = countSlots(backends, entries);
    }

    /**
     * Builds the table for {@code backends} (any order; weight-0 backends are left out).
     *
     * @param tableSize {@code M}: prime, at least the number of backends, at most {@link #MAX_SIZE}
     * @throws IllegalArgumentException if {@code tableSize} is not prime, too small or too big, or if two
     *                                  backends share a name
     */
    public static MaglevTable build(List<Backend> backends, int tableSize) {
        Backend[] sorted = Candidates.eligible(backends);
        if (tableSize > MAX_SIZE) {
            throw new IllegalArgumentException("Maglev table size " + tableSize + " is above the maximum " + MAX_SIZE);
        }
        if (!isPrime(tableSize)) {
            throw new IllegalArgumentException("Maglev table size must be prime: " + tableSize);
        }
        if (tableSize < sorted.length) {
            throw new IllegalArgumentException(
                    "Maglev table size " + tableSize + " is smaller than the number of backends " + sorted.length);
        }
        return new MaglevTable(sorted, populate(sorted, tableSize));
    }

    /**
     * Whether {@code n} is prime, as a table size must be. The one primality test in the code: the
     * config binder asks it too, so what config accepts is what {@link #build} accepts.
     */
    public static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        // Trial division is plenty for table sizes: at most ~2,000 divisions up to MAX_SIZE.
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    /** The smallest prime {@code >= n}: the size a config error suggests instead of one that is not prime. */
    public static long primeAtLeast(long n) {
        long candidate = Math.max(n, 2);
        while (!isPrime(candidate)) {
            candidate++;
        }
        return candidate;
    }

    private static int[] populate(Backend[] bs, int m) {
        int n = bs.length;
        int[] entry = new int[m];
        Arrays.fill(entry, -1);
        if (n == 0) {
            return entry;
        }
        long[] next = new long[n];   // current permutation position: (offset + j*skip) mod M
        long[] skip = new long[n];
        long[] filled = new long[n];
        long maxWeight = 0;
        for (int i = 0; i < n; i++) {
            String name = bs[i].name();
            next[i] = Long.remainderUnsigned(KeyHash.of(name, OFFSET_SEED), m);
            skip[i] = Long.remainderUnsigned(KeyHash.of(name, SKIP_SEED), m - 1) + 1;
            maxWeight = Math.max(maxWeight, bs[i].weight());
        }
        int total = 0;
        for (long round = 1; total < m; round++) {
            for (int i = 0; i < n && total < m; i++) {
                if (filled[i] * maxWeight >= round * bs[i].weight()) {
                    continue;   // already has its weighted share for this round
                }
                int c = (int) next[i];
                while (entry[c] >= 0) {
                    c = (int) ((c + skip[i]) % m);
                }
                entry[c] = i;
                next[i] = (c + skip[i]) % m;
                filled[i]++;
                total++;
            }
        }
        return entry;
    }

    private static long computeFingerprint(Backend[] bs, int[] entries) {
        long[] nameHash = new long[bs.length];
        for (int i = 0; i < bs.length; i++) {
            nameHash[i] = KeyHash.of(bs[i].name(), FINGERPRINT_SEED);
        }
        // Hash the slot-by-slot sequence of name hashes (little-endian), so the fingerprint depends
        // on names and placement only: not on Backend identity, addresses or list order.
        byte[] bytes = new byte[entries.length * 8];
        for (int s = 0; s < entries.length; s++) {
            long v = entries[s] < 0 ? 0 : nameHash[entries[s]];
            for (int k = 0; k < 8; k++) {
                bytes[s * 8 + k] = (byte) (v >>> (8 * k));
            }
        }
        return KeyHash.of(bytes, FINGERPRINT_SEED);
    }

    private static Map<String, Integer> countSlots(Backend[] bs, int[] entries) {
        int[] counts = new int[bs.length];
        for (int e : entries) {
            if (e >= 0) {
                counts[e]++;
            }
        }
        Map<String, Integer> map = new TreeMap<>();
        for (int i = 0; i < bs.length; i++) {
            map.put(bs[i].name(), counts[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** The slot for a key: unsigned remainder, the same on every node. */
    private int slot(long keyHash) {
        return (int) Long.remainderUnsigned(keyHash, entries.length);
    }

    /** The backend owning the key's slot; {@code null} if the table has no backends. */
    public Backend lookup(long keyHash) {
        int e = entries[slot(keyHash)];
        return e < 0 ? null : backends[e];
    }

    /**
     * The first backend not in {@code excluded}, walking forward from the key's slot (wrapping).
     * Deterministic, so every node fails a key over to the same backend; and since slots are
     * spread evenly, the failed backend's keys spread over the others in proportion to their
     * shares. {@code null} if every backend is excluded.
     */
    public Backend lookup(long keyHash, Collection<Backend> excluded) {
        if (excluded.isEmpty()) {
            return lookup(keyHash);
        }
        if (allExcluded(excluded)) {
            return null;
        }
        int m = entries.length;
        int s = slot(keyHash);
        for (int k = 0; k < m; k++) {
            Backend b = backends[entries[(s + k) % m]];
            if (!excluded.contains(b)) {
                return b;
            }
        }
        return null;
    }

    private boolean allExcluded(Collection<Backend> excluded) {
        for (Backend b : backends) {
            if (!excluded.contains(b)) {
                return false;
            }
        }
        return true;
    }

    /** {@code M}, the number of slots. */
    public int size() {
        return entries.length;
    }

    /**
     * A 64-bit hash of which backend name owns each slot. Two nodes with equal fingerprints have
     * (with overwhelming probability) identical tables and so send every key to the same backend.
     */
    public long fingerprint() {
        return fingerprint;
    }

    /** Slots owned by each backend, by name (sorted); weight-0 backends do not appear. */
    public Map<String, Integer> slotsByBackend() {
        return slotsByBackend;
    }
}
