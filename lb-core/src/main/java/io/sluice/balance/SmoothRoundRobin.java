package io.sluice.balance;

import io.sluice.backend.Backend;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round-robin, as in nginx: each pick adds every backend's weight to its
 * {@code current}, takes the backend with the largest {@code current} (ties to the first by name),
 * and subtracts the total weight from the winner. Weights 5,1,1 give {@code a a b a c a a}: the
 * heavy backend's turns are spread out rather than bunched.
 *
 * <p><b>Concurrency.</b> The nginx loop mutates shared state on every pick; under concurrent event
 * loops it would need a lock. But the sequence is periodic: after {@code sum(w)/gcd(w)} picks every
 * {@code current} is back to zero. So the constructor runs the loop once for a full period into an
 * {@code int[]} of backend indexes, and {@link #pick} is one {@code getAndIncrement} on an
 * {@link AtomicLong} cursor plus an array read: lock-free, and the totals over any run of
 * consecutive cursor values are exact whatever the interleaving of threads.
 *
 * <p>If the period is longer than {@link #MAX_PERIOD} entries (large coprime weights such as
 * 1000003/1000033) the table would cost megabytes and a long build on every snapshot change, so
 * we fall back to the nginx loop itself under a {@code synchronized} block; it is short (one pass
 * over the backends) and such weight sets are unusual.
 */
final class SmoothRoundRobin implements Balancer {

    /** Longest precomputed period: 2^20 ints = 4 MiB. */
    static final int MAX_PERIOD = 1 << 20;

    private final Backend[] backends;
    private final int[] sequence;          // null when the period is too long
    private final AtomicLong cursor = new AtomicLong();
    private final long[] current;          // fallback state, guarded by this

    SmoothRoundRobin(List<Backend> list) {
        this(list, MAX_PERIOD);
    }

    /** @param maxPeriod longest sequence to precompute; tests lower it to exercise the fallback */
    SmoothRoundRobin(List<Backend> list, int maxPeriod) {
        this.backends = Candidates.eligible(list);
        long period = period(backends);
        if (period <= maxPeriod) {
            this.sequence = precompute(backends, (int) period);
            this.current = null;
        } else {
            this.sequence = null;
            this.current = new long[backends.length];
        }
    }

    /** sum(w)/gcd(w): scaling all weights by a constant does not change the sequence. */
    static long period(Backend[] backends) {
        long gcd = 0;
        long sum = 0;
        for (Backend b : backends) {
            gcd = gcd(gcd, b.weight());
            sum += b.weight();
        }
        return gcd == 0 ? 0 : sum / gcd;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static int[] precompute(Backend[] backends, int period) {
        int[] seq = new int[period];
        long[] cur = new long[backends.length];
        for (int k = 0; k < period; k++) {
            seq[k] = nginxStep(backends, cur, null);
        }
        return seq;
    }

    /**
     * One step of the nginx algorithm over the backends not in {@code excluded}; -1 if none. Like
     * nginx, excluded backends neither gain weight nor count in the total for this step.
     */
    private static int nginxStep(Backend[] backends, long[] cur, Collection<Backend> excluded) {
        long total = 0;
        int best = -1;
        for (int i = 0; i < backends.length; i++) {
            if (excluded != null && excluded.contains(backends[i])) {
                continue;
            }
            cur[i] += backends[i].weight();
            total += backends[i].weight();
            if (best < 0 || cur[i] > cur[best]) {
                best = i;
            }
        }
        if (best >= 0) {
            cur[best] -= total;
        }
        return best;
    }

    /** Whether picks use the precomputed lock-free sequence (false: synchronized fallback). */
    boolean precomputed() {
        return sequence != null;
    }

    @Override
    public Backend pick(long keyHash, Collection<Backend> excluded) {
        if (backends.length == 0) {
            return null;
        }
        if (sequence == null) {
            synchronized (this) {
                int i = nginxStep(backends, current, excluded.isEmpty() ? null : excluded);
                return i < 0 ? null : backends[i];
            }
        }
        int start = (int) Long.remainderUnsigned(cursor.getAndIncrement(), sequence.length);
        Backend first = backends[sequence[start]];
        if (excluded.isEmpty() || !excluded.contains(first)) {
            return first;
        }
        if (allExcluded(excluded)) {
            return null;
        }
        // Walk on from our slot without consuming more cursor values (the pick itself took one);
        // bounded by the period, and some backend is not excluded.
        for (int k = 1; k < sequence.length; k++) {
            Backend b = backends[sequence[(start + k) % sequence.length]];
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
}
