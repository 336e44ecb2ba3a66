package io.sluice.daemon;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.CheckHistoryView;
import io.sluice.adminapi.DrainView;
import io.sluice.adminapi.PoolView;
import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.backend.DrainMark;
import io.sluice.balance.MaglevTable;
import io.sluice.direct.DirectPlane;
import io.sluice.pool.Pool;
import io.sluice.sticky.StickTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pool and its backends as the admin API shows them: balance, Maglev generation and slots per
 * backend, stick table size, and each backend's health, admin state, weights, counters and drains.
 *
 * <p>Static and stateless; called on the admin executor. What it reads is a published snapshot
 * (the pool's eligible set and table) or a backend's {@link Backend.State}, whose fields the control
 * thread alone writes and whose counters are thread-safe: a view may mix moments a few
 * microseconds apart, which the API does not promise otherwise.
 */
final class PoolViews {

    private PoolViews() {}

    /** The view of {@code pool}; {@code staleness}: seconds since its last discovery answer, or null. */
    static PoolView view(Pool pool, Double staleness, DirectPlane direct) {
        MaglevTable table = pool.maglevTable();
        Map<String, Integer> slots = table == null ? Map.of() : table.slotsByBackend();
        Map<String, Integer> effective = new LinkedHashMap<>();
        pool.eligibleBackends().forEach(b -> effective.put(b.name(), b.weight()));
        List<BackendView> backends = new ArrayList<>();
        int active = 0;
        for (Backend b : pool.backends()) {
            backends.add(view(b, effective.getOrDefault(b.name(), 0), table == null ? null : slots.getOrDefault(b.name(), 0)));
            active += b.activeConnections();
        }
        StickTable stick = pool.stickTable();
        return new PoolView(pool.name(), pool.config().balance().yamlName(), pool.config().sticky().key().yamlName(),
                pool.generation(), table == null ? null : String.format("%016x", table.fingerprint()),
                stick == null ? 0 : stick.size(), pool.config().health().type().yamlName(), active,
                staleness, backends, DirectViews.ofPool(direct, pool.name()));
    }

    private static BackendView view(Backend b, int effectiveWeight, Integer maglevSlots) {
        Backend.State st = b.state();
        int weight = st.weightOverride() != null ? st.weightOverride() : b.configuredWeight();
        // A registry drain shows as "drain" while the operator's own state is ready; the cause says which.
        String admin = st.admin() == AdminState.READY && st.registryDrain() != null ? "drain" : st.admin().word();
        Instant now = Instant.now();
        return new BackendView(b.name(), BoundListeners.hostPort(b.address()), st.up() ? "up" : "down",
                admin, weight, b.configuredWeight(), effectiveWeight, effectiveWeight > 0,
                b.activeConnections(), b.totalConnections(), st.bytesUp(), st.bytesDown(),
                text(st.lastCheck()), st.lastCheckResult(), text(st.drainDeadline()), text(st.since()), st.cause(),
                maglevSlots, drain(st.admin().word(), st.operatorMark()), drain(st.registryDrain(), st.registryMark()),
                new CheckHistoryView(text(st.healthSince()), st.downtime(now).toSeconds(), st.checksPassed(),
                        st.checksFailed()),
                st.connectFailures(), st.retries(), null);
    }

    static DrainView drain(String state, DrainMark m) {
        return m == null || state == null ? null
                : new DrainView(state, m.by(), text(m.since()), m.reason(), text(m.deadline()));
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }
}
