package io.sluice.pool;

import io.sluice.backend.Backend;
import io.sluice.balance.Balancer;
import io.sluice.balance.MaglevTable;
import java.util.List;
import java.util.Map;

/**
 * One immutable view of a pool: its backends, which of them may take new connections (with the
 * weight balancers use), and the balancer built for exactly that set. Published by {@link Pool}
 * with one volatile write; event loops only read it.
 *
 * @param generation increases by one with every rebuild, so logs and the admin API can say which
 *                   table a decision was made on
 * @param backends   every backend of the pool by name, eligible or not
 * @param eligible   the backends new connections may go to (up, ready, effective weight &gt; 0),
 *                   sorted by name, each carrying its effective weight
 * @param maglev     the Maglev table when the pool balances with Maglev, else null
 */
record PoolSnapshot(long generation, Map<String, Backend> backends, List<Backend> eligible, Balancer balancer,
                    MaglevTable maglev) {

    /** The eligible backend with this name, or null (it left the set, is down, drained or weight 0). */
    Backend eligibleByName(String name) {
        for (int i = 0; i < eligible.size(); i++) {
            Backend b = eligible.get(i);
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }
}
