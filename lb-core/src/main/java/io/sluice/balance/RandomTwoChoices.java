package io.sluice.balance;

import io.sluice.backend.Backend;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two random choices (Mitzenmacher): draw two distinct backends at random, each with
 * probability proportional to its weight, and take the one with fewer active connections per unit
 * of weight. Nearly as even as least connections, but no scan of every backend and, since many
 * balancer nodes do not share counters, no herd of nodes all choosing the same "least loaded" one.
 *
 * <p>The second draw is without replacement: it is made over {@code total - w(first)} and skips
 * the first's range, so it is exactly weighted among the others and never needs a retry loop.
 */
final class RandomTwoChoices implements Balancer {

    private final Backend[] backends;
    private final long[] cumulative;   // cumulative[i] = sum of weights of backends[0..i]

    RandomTwoChoices(List<Backend> list) {
        this.backends = Candidates.eligible(list);
        this.cumulative = cumulate(backends);
    }

    private static long[] cumulate(Backend[] bs) {
        long[] c = new long[bs.length];
        long sum = 0;
        for (int i = 0; i < bs.length; i++) {
            sum += bs[i].weight();
            c[i] = sum;
        }
        return c;
    }

    @Override
    public Backend pick(long keyHash, Collection<Backend> excluded) {
        if (excluded.isEmpty()) {
            return choose(backends, cumulative);
        }
        // Rare path (a retry): rebuild the candidate set without the excluded backends.
        Backend[] rest = new Backend[backends.length];
        int n = 0;
        for (Backend b : backends) {
            if (!excluded.contains(b)) {
                rest[n++] = b;
            }
        }
        rest = Arrays.copyOf(rest, n);
        return choose(rest, cumulate(rest));
    }

    private static Backend choose(Backend[] bs, long[] cum) {
        int n = bs.length;
        if (n <= 1) {
            return n == 0 ? null : bs[0];
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long total = cum[n - 1];
        int i = indexOf(cum, rnd.nextLong(total));
        long wi = bs[i].weight();
        long r = rnd.nextLong(total - wi);
        long startI = cum[i] - wi;
        int j = indexOf(cum, r < startI ? r : r + wi);
        Backend a = bs[i];
        Backend b = bs[j];
        return Candidates.lighter(Candidates.active(b), b, Candidates.active(a), a) ? b : a;
    }

    /** The index whose weight range contains {@code r}: first i with cum[i] > r (binary search). */
    private static int indexOf(long[] cum, long r) {
        int lo = 0;
        int hi = cum.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cum[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
