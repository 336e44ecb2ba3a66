package io.sluice.direct;

import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.balance.MaglevTable;
import io.sluice.config.DirectConfig;
import io.sluice.config.DirectListenerConfig;
import io.sluice.pool.Pool;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link DirectPlan} from the direct listeners' config and their pools' current snapshots.
 *
 * <p>The slot map is the pool's own {@link MaglevTable}, slot by slot (the very table proxy mode
 * picks from), so proxy and direct listeners of one pool, and every node, agree on which backend owns
 * which slot. Which flows stay where they are pinned:
 * <ul>
 *   <li>eligible backends: yes;</li>
 *   <li>out of the table but UP (drain, maint, the registry's drain, weight 0): yes, until a drain
 *       deadline passes: then its flows go back to the hash;</li>
 *   <li>DOWN, or gone from the pool: no, at once (a dead backend would only black-hole them).</li>
 * </ul>
 *
 * <p>Pure apart from reading the pools' volatile snapshots; called on the direct thread.
 */
final class Plans {

    private Plans() {
    }

    static DirectPlan of(DirectConfig config, Map<String, Pool> pools, Instant now) {
        List<ServicePlan> services = new ArrayList<>();
        for (DirectListenerConfig l : config.listeners()) {
            Pool pool = pools.get(l.pool());
            services.add(pool == null ? empty(l) : service(l, pool, now));
        }
        return new DirectPlan(config.table(), config.hashSeed(), config.rulePriority(), services);
    }

    private static ServicePlan empty(DirectListenerConfig l) {
        return new ServicePlan(l, new long[0], List.of(), 0, 0);
    }

    static ServicePlan service(DirectListenerConfig l, Pool pool, Instant now) {
        long generation = pool.generation();
        MaglevTable table = pool.maglevTable();
        if (table == null) {
            return empty(l); // config checks forbid this; a pool mid-reload may briefly be another kind
        }
        Set<String> eligible = new HashSet<>();
        for (Backend b : pool.eligibleBackends()) {
            eligible.add(b.name());
        }
        List<DirectBackend> backends = new ArrayList<>();
        for (Backend b : pool.backends()) {
            InetAddress a = b.address().getAddress();
            if (a instanceof Inet4Address v4) {
                backends.add(new DirectBackend(b.name(), v4, eligible.contains(b.name()) || keepsFlows(b, now)));
            }
        }
        long[] slots = new long[table.size()];
        for (int s = 0; s < slots.length; s++) {
            // lookup(s) is slot s itself: the key's slot is keyHash mod M, and s < M.
            Backend owner = table.lookup(s);
            if (owner == null) {
                slots = new long[0];
                break;
            }
            InetAddress a = owner.address().getAddress();
            slots[s] = a instanceof Inet4Address v4 ? DirectBackend.markOf(v4) : 0;
        }
        return new ServicePlan(l, slots, backends, generation, table.fingerprint());
    }

    /**
     * A backend out of the table that still keeps its established flows: UP, and not past a drain
     * deadline (draining, maint, weight 0 all keep them; only the deadline ends them).
     */
    private static boolean keepsFlows(Backend b, Instant now) {
        Backend.State st = b.state();
        Instant deadline = st.drainDeadline();
        return st.up() && (deadline == null || st.admin() == AdminState.READY || now.isBefore(deadline));
    }
}
