package io.sluice.pool;

import io.sluice.backend.Backend;
import io.sluice.balance.Balancer;
import java.util.List;
import java.util.Map;

/**
 * One immutable view of a pool: its backends, which of them may take new connections, and the
 * balancer built for exactly that set. Published by {@link Pool} with one volatile write; event
 * loops only read it.
 *
 * @param generation increases by one with every rebuild, so logs and the admin API can say which
 *                   table a decision was made on
 * @param backends   every backend of the pool by name, eligible or not
 * @param eligible   the backends new connections may go to (weight &gt; 0), sorted by name
 */
record PoolSnapshot(long generation, Map<String, Backend> backends, List<Backend> eligible, Balancer balancer) {

    /** The eligible backend with this name, or null (it left the set or has weight 0). */
    Backend eligibleByName(String name) {
        Backend b = backends.get(name);
        return b != null && b.weight() > 0 ? b : null;
    }
}
