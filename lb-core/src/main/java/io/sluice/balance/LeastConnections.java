package io.sluice.balance;

import io.sluice.backend.Backend;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Weighted least connections: the backend with the smallest {@code (active + 1) / weight}, i.e. the
 * one whose load per unit of weight would be lowest after taking this connection. The {@code + 1}
 * matters: with all backends idle it favours the heaviest (1/3 &lt; 1/1) instead of tying.
 *
 * <p>Ties (common: idle pools, equal weights) go to the first tied backend counted from a start
 * offset that rotates on every pick, so a burst of simultaneous connections spreads over the tied
 * backends instead of all landing on the first by name before its counter moves. Counters are read
 * without locking; a pick racing another may see a stale count, which only costs a little balance.
 */
final class LeastConnections implements Balancer {

    private final Backend[] backends;
    private final AtomicInteger rotation = new AtomicInteger();

    LeastConnections(List<Backend> list) {
        this.backends = Candidates.eligible(list);
    }

    @Override
    public Backend pick(long keyHash, Collection<Backend> excluded) {
        int n = backends.length;
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(rotation.getAndIncrement(), n);
        Backend best = null;
        long bestLoad = 0;
        for (int k = 0; k < n; k++) {
            Backend b = backends[(start + k) % n];
            if (!excluded.isEmpty() && excluded.contains(b)) {
                continue;
            }
            long load = Candidates.active(b) + 1;
            if (best == null || Candidates.lighter(load, b, bestLoad, best)) {
                best = b;
                bestLoad = load;
            }
        }
        return best;
    }
}
