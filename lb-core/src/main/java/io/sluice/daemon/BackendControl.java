package io.sluice.daemon;

import io.sluice.admin.AdminOperations.NotFoundException;
import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.drain.Drains;
import io.sluice.pool.Pool;
import io.sluice.state.AdminOverride;
import io.sluice.state.OverrideStore;
import io.sluice.state.StoreWrite;
import io.sluice.upstream.Upstreams;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' decisions about backends (drain, maint, ready, weight), from the admin API, the
 * shared store (other nodes' decisions) and a handover, kept in the {@link OverrideStore} so they
 * survive a restart. What a drain then does over time is {@link Drains}'; health changes are the
 * {@link Upstreams}'.
 *
 * <p>Runs on the control thread only: callers on other threads go through {@link #execute}. Each
 * change writes the backend's state, rebuilds its pool's snapshot (one volatile publish) and is
 * logged and counted as a transition ({@link Upstreams#transition}).
 */
final class BackendControl {

    private static final Logger log = LoggerFactory.getLogger("io.sluice.backend");

    private final Upstreams upstreams;
    private final Drains drains;
    private final ScheduledExecutorService control;
    private final OverrideStore store;

    BackendControl(Upstreams upstreams, Drains drains, ScheduledExecutorService control, OverrideStore store) {
        this.upstreams = upstreams;
        this.drains = drains;
        this.control = control;
        this.store = store;
    }

    /** Runs {@code task} on the control thread. */
    void execute(Runnable task) {
        control.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("backend state change failed", e);
            }
        });
    }

    Pool pool(String name) {
        Map<String, Pool> pools = upstreams.pools();
        Pool p = pools.get(name);
        if (p == null) {
            throw new NotFoundException("no pool '" + name + "' (pools: " + String.join(", ", pools.keySet()) + ")");
        }
        return p;
    }

    Backend backend(Pool pool, String name) {
        Backend b = pool.backend(name);
        if (b == null) {
            List<String> names = pool.backends().stream().map(Backend::name).toList();
            throw new NotFoundException("no backend '" + name + "' in pool '" + pool.name() + "' (backends: " + String.join(", ", names) + ")");
        }
        return b;
    }

    /**
     * No new connections; with a deadline, those left then are closed at {@code rate}/s. Like every
     * change here: applied at once, and the returned future says when (and whether) the override store
     * has it; it is never waited for on the control thread.
     */
    CompletableFuture<StoreWrite> drain(String poolName, String backendName, Duration deadline, Double rate, String cause) {
        Pool pool = pool(poolName);
        Backend b = backend(pool, backendName);
        Instant at = deadline == null ? null : Instant.now().plus(deadline);
        return setAdmin(pool, b, AdminState.DRAIN, at, rate, cause);
    }

    /** Like drain; {@code kill} closes the existing connections now, paced. */
    CompletableFuture<StoreWrite> maint(String poolName, String backendName, boolean kill, String cause) {
        Pool pool = pool(poolName);
        Backend b = backend(pool, backendName);
        CompletableFuture<StoreWrite> stored = setAdmin(pool, b, AdminState.MAINT, null, null, cause);
        if (kill) {
            drains.closeRemaining(pool, b, pool.config().drain().closeRate(), "maint --kill");
        }
        return stored;
    }

    CompletableFuture<StoreWrite> ready(String poolName, String backendName, String cause) {
        Pool pool = pool(poolName);
        Backend b = backend(pool, backendName);
        return setAdmin(pool, b, AdminState.READY, null, null, cause);
    }

    CompletableFuture<StoreWrite> weight(String poolName, String backendName, int weight, String cause) {
        if (weight < 0 || weight > 1000) {
            throw new IllegalArgumentException("weight " + weight + " (expected 0..1000)");
        }
        Pool pool = pool(poolName);
        Backend b = backend(pool, backendName);
        Integer old = b.state().weightOverride();
        // Setting the configured weight again clears the override (the config is in charge again).
        b.state().weightOverride(weight == b.configuredWeight() ? null : weight, cause);
        upstreams.transition(pool, b, "weight " + (old == null ? b.configuredWeight() : old), "weight " + weight, cause);
        // Keep the close rate of a drain under way: a weight change does not touch the drain.
        CompletableFuture<StoreWrite> stored = persist(pool, b, store.get(pool.name(), b.name()).closeRate());
        pool.rebuild();
        return stored;
    }

    /** Follows the shared store: other nodes' drains and weights apply here too (fleet-wide state). */
    void followStore() {
        store.watch((pool, backend, override) -> execute(() -> applyShared(pool, backend, override, "shared state store")));
    }

    /** Control thread: an override the process we took over from had (normally the same as our store's: then a no-op). */
    void applyHandedOver(String poolName, String backendName, AdminOverride o) {
        applyShared(poolName, backendName, o, "handed over");
    }

    /** Control thread: an override from the shared store (maybe our own write's echo: then a no-op). */
    private void applyShared(String poolName, String backendName, AdminOverride o, String source) {
        Pool pool = upstreams.pools().get(poolName);
        Backend b = pool == null ? null : pool.backend(backendName);
        if (b == null) {
            return; // not a backend of this node (yet): applied when it appears (applyOverrides)
        }
        Backend.State st = b.state();
        boolean adminChanged = st.admin() != o.admin() || !Objects.equals(st.drainDeadline(), o.drainDeadline());
        boolean weightChanged = !Objects.equals(st.weightOverride(), o.weight());
        if (!adminChanged && !weightChanged) {
            return;
        }
        if (adminChanged) {
            drains.cancel(pool, b);
            String from = st.admin().word();
            st.admin(o.admin(), o.drainDeadline(), source);
            upstreams.transition(pool, b, from, o.admin().word(), source);
            if (o.drainDeadline() != null && o.admin() != AdminState.READY) {
                drains.deadline(pool, b, o.drainDeadline(), o.closeRate());
            }
        }
        if (weightChanged) {
            st.weightOverride(o.weight(), source);
            upstreams.transition(pool, b, "weight", "weight " + (o.weight() == null ? b.configuredWeight() : o.weight()),
                    source);
        }
        pool.rebuild();
    }

    /** Re-applies stored overrides to a pool's backends (start, reload, new backends). */
    void applyOverrides(Pool pool) {
        boolean anyChanged = false;
        for (Backend b : pool.backends()) {
            AdminOverride o = store.get(pool.name(), b.name());
            if (o.isNone()) {
                continue;
            }
            boolean changed = false;
            if (o.admin() != b.state().admin()) {
                b.state().admin(o.admin(), o.drainDeadline(), "restored from state file");
                if (o.drainDeadline() != null) {
                    drains.deadline(pool, b, o.drainDeadline(), o.closeRate());
                }
                changed = true;
            }
            if (o.weight() != null && !o.weight().equals(b.state().weightOverride())) {
                b.state().weightOverride(o.weight(), "restored from state file");
                changed = true;
            }
            if (changed) {
                anyChanged = true;
                log.info("backend {}/{}: {} weight {} (restored from state file)", pool.name(), b.name(),
                        o.admin().word(), o.weight() == null ? b.configuredWeight() : o.weight());
            }
        }
        if (anyChanged) {
            pool.rebuild();
        }
    }

    private CompletableFuture<StoreWrite> setAdmin(Pool pool, Backend b, AdminState to, Instant deadline, Double rate,
                                                   String cause) {
        AdminState from = b.state().admin();
        drains.cancel(pool, b);
        b.state().admin(to, deadline, cause);
        upstreams.transition(pool, b, from.word(), to.word() + (deadline == null ? "" : " until " + deadline), cause);
        CompletableFuture<StoreWrite> stored = persist(pool, b, rate);
        pool.rebuild();
        if (deadline != null) {
            drains.deadline(pool, b, deadline, rate);
        }
        return stored;
    }

    /** Queues the backend's override for the store; never waits for it. */
    private CompletableFuture<StoreWrite> persist(Pool pool, Backend b, Double rate) {
        Backend.State st = b.state();
        return store.put(pool.name(), b.name(), new AdminOverride(st.admin(), st.weightOverride(), st.drainDeadline(), rate));
    }
}
