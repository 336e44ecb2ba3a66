package io.sluice.daemon;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.drain.PacedCloser;
import io.sluice.pool.Pool;
import io.sluice.proxy.CloseReason;
import io.sluice.proxy.Connection;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.state.Override;
import io.sluice.state.OverrideStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change of a backend's state: admin (drain, maint, ready, weight), health (from the checkers)
 * and the timers that follow (drain deadlines, slow-start ramps).
 *
 * <p>Runs on the control thread only: callers on other threads go through {@link #execute}. Each
 * change writes the backend's state, rebuilds its pool's snapshot (one volatile publish), logs one
 * line with old state, new state and cause, and counts {@code sluice_backend_transitions_total}.
 * Admin changes are also written to the {@link OverrideStore} so they survive a restart.
 */
final class BackendControl {

    private static final Logger log = LoggerFactory.getLogger("io.sluice.backend");

    private final Supplier<Map<String, Pool>> pools;
    private final ConnectionTracker tracker;
    private final ScheduledExecutorService control;
    private final OverrideStore store;
    private final MeterRegistry registry;
    private final Map<String, ScheduledFuture<?>> deadlines = new HashMap<>();
    private final Map<String, PacedCloser.Handle> closing = new HashMap<>();

    BackendControl(Supplier<Map<String, Pool>> pools, ConnectionTracker tracker, ScheduledExecutorService control,
                   OverrideStore store, MeterRegistry registry) {
        this.pools = pools;
        this.tracker = tracker;
        this.control = control;
        this.store = store;
        this.registry = registry;
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
        Pool p = pools.get().get(name);
        if (p == null) {
            throw new io.sluice.admin.AdminOperations.NotFoundException(
                    "no pool '" + name + "' (pools: " + String.join(", ", pools.get().keySet()) + ")");
        }
        return p;
    }

    Backend backend(Pool pool, String name) {
        Backend b = pool.backend(name);
        if (b == null) {
            List<String> names = pool.backends().stream().map(Backend::name).toList();
            throw new io.sluice.admin.AdminOperations.NotFoundException(
                    "no backend '" + name + "' in pool '" + pool.name() + "' (backends: " + String.join(", ", names) + ")");
        }
        return b;
    }

    /** No new connections; with a deadline, those left then are closed at {@code rate}/s. */
    void drain(String poolName, String backendName, Duration deadline, Double rate, String cause) {
        Pool pool = pool(poolName);
        Backend b = backend(pool, backendName);
        Instant at = deadline == null ? null : Instant.now().plus(deadline);
        setAdmin(pool, b, AdminState.DRAIN, at, rate, cause);
    }

    /** Like drain; {@code kill} closes the existing connections now, paced. */
    void maint(String poolName, String backendName, boolean kill, String cause) {
        Pool pool = pool(poolName);
        Backend b = backend(pool, backendName);
        setAdmin(pool, b, AdminState.MAINT, null, null, cause);
        if (kill) {
            closeRemaining(pool, b, pool.config().drain().closeRate(), "maint --kill");
        }
    }

    void ready(String poolName, String backendName, String cause) {
        Pool pool = pool(poolName);
        Backend b = backend(pool, backendName);
        setAdmin(pool, b, AdminState.READY, null, null, cause);
    }

    void weight(String poolName, String backendName, int weight, String cause) {
        if (weight < 0 || weight > 1000) {
            throw new IllegalArgumentException("weight " + weight + " (expected 0..1000)");
        }
        Pool pool = pool(poolName);
        Backend b = backend(pool, backendName);
        Integer old = b.state().weightOverride();
        // Setting the configured weight again clears the override (the config is in charge again).
        b.state().weightOverride(weight == b.configuredWeight() ? null : weight, cause);
        transition(pool, b, "weight " + (old == null ? b.configuredWeight() : old), "weight " + weight, cause);
        // Keep the close rate of a drain under way: a weight change does not touch the drain.
        persist(pool, b, store.get(pool.name(), b.name()).closeRate());
        pool.rebuild();
    }

    /** A health checker's verdict (any thread). */
    void healthChanged(String poolName, String backendName, boolean up, String cause) {
        execute(() -> {
            Pool pool = pools.get().get(poolName);
            Backend b = pool == null ? null : pool.backend(backendName);
            if (b == null || b.state().up() == up) {
                return;
            }
            b.state().health(up, cause);
            transition(pool, b, up ? "down" : "up", up ? "up" : "down", cause);
            pool.rebuild();
        });
    }

    /** Follows the shared store: other nodes' drains and weights apply here too (fleet-wide state). */
    void followStore() {
        store.watch((pool, backend, override) -> execute(() -> applyShared(pool, backend, override, "shared state store")));
    }

    /** Control thread: an override the process we took over from had (normally the same as our store's: then a no-op). */
    void applyHandedOver(String poolName, String backendName, Override o) {
        applyShared(poolName, backendName, o, "handed over");
    }

    /** Control thread: an override from the shared store (maybe our own write's echo: then a no-op). */
    private void applyShared(String poolName, String backendName, Override o, String source) {
        Pool pool = pools.get().get(poolName);
        Backend b = pool == null ? null : pool.backend(backendName);
        if (b == null) {
            return; // not a backend of this node (yet): applied when it appears (applyOverrides)
        }
        Backend.State st = b.state();
        boolean adminChanged = st.admin() != o.admin() || !java.util.Objects.equals(st.drainDeadline(), o.drainDeadline());
        boolean weightChanged = !java.util.Objects.equals(st.weightOverride(), o.weight());
        if (!adminChanged && !weightChanged) {
            return;
        }
        String key = pool.name() + "/" + b.name();
        if (adminChanged) {
            cancelTimers(key);
            String from = st.admin().word();
            st.admin(o.admin(), o.drainDeadline(), source);
            transition(pool, b, from, o.admin().word(), source);
            if (o.drainDeadline() != null && o.admin() != AdminState.READY) {
                scheduleDeadline(pool, b, o.drainDeadline(), o.closeRate());
            }
        }
        if (weightChanged) {
            st.weightOverride(o.weight(), source);
            transition(pool, b, "weight", "weight " + (o.weight() == null ? b.configuredWeight() : o.weight()),
                    source);
        }
        pool.rebuild();
    }

    /** Re-applies stored overrides to a pool's backends (start, reload, new backends). */
    void applyOverrides(Pool pool) {
        boolean anyChanged = false;
        for (Backend b : pool.backends()) {
            Override o = store.get(pool.name(), b.name());
            if (o.isNone()) {
                continue;
            }
            boolean changed = false;
            if (o.admin() != b.state().admin()) {
                b.state().admin(o.admin(), o.drainDeadline(), "restored from state file");
                if (o.drainDeadline() != null) {
                    scheduleDeadline(pool, b, o.drainDeadline(), o.closeRate());
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

    /** Slow start: rebuild pools whose backends are still ramping up. Control thread, every second. */
    void tick() {
        for (Pool pool : pools.get().values()) {
            if (pool.rampingUp()) {
                pool.rebuild();
            }
        }
    }

    private void setAdmin(Pool pool, Backend b, AdminState to, Instant deadline, Double rate, String cause) {
        AdminState from = b.state().admin();
        String key = pool.name() + "/" + b.name();
        cancelTimers(key);
        b.state().admin(to, deadline, cause);
        transition(pool, b, from.word(), to.word() + (deadline == null ? "" : " until " + deadline), cause);
        persist(pool, b, rate);
        pool.rebuild();
        if (deadline != null) {
            scheduleDeadline(pool, b, deadline, rate);
        }
    }

    private void scheduleDeadline(Pool pool, Backend b, Instant deadline, Double rate) {
        String key = pool.name() + "/" + b.name();
        long delay = Math.max(0, Duration.between(Instant.now(), deadline).toNanos());
        double perSecond = rate != null ? rate : pool.config().drain().closeRate();
        deadlines.put(key, control.schedule(() -> {
            deadlines.remove(key);
            if (b.state().admin() != AdminState.READY) {
                closeRemaining(pool, b, perSecond, "drain deadline");
            }
        }, delay, TimeUnit.NANOSECONDS));
    }

    /**
     * The registry drained {@code b} (critical, or gone): if it is still drained by the registry
     * after {@code deadline}, its remaining connections are closed at the pool's close rate.
     */
    void registryDeadline(Pool pool, Backend b, Duration deadline) {
        String key = pool.name() + "/" + b.name() + "#registry";
        ScheduledFuture<?> old = deadlines.remove(key);
        if (old != null) {
            old.cancel(false);
        }
        deadlines.put(key, control.schedule(() -> {
            deadlines.remove(key);
            if (b.state().registryDrain() != null) {
                closeRemaining(pool, b, pool.config().drain().closeRate(), "registry drain deadline");
            }
        }, deadline.toNanos(), TimeUnit.NANOSECONDS));
    }

    private void closeRemaining(Pool pool, Backend b, double rate, String why) {
        String key = pool.name() + "/" + b.name();
        List<Connection> victims = connectionsOf(pool.name(), b.name());
        closing.put(key, PacedCloser.closeAll(victims, rate, CloseReason.ADMIN, control, key + " " + why));
    }

    /** Live connections relayed to pool/backend now. */
    List<Connection> connectionsOf(String poolName, String backendName) {
        List<Connection> out = new ArrayList<>();
        for (Connection c : tracker.all()) {
            Backend b = c.backend();
            if (b != null && b.name().equals(backendName) && c.pool() != null && c.pool().name().equals(poolName)) {
                out.add(c);
            }
        }
        return out;
    }

    private void cancelTimers(String key) {
        ScheduledFuture<?> d = deadlines.remove(key);
        if (d != null) {
            d.cancel(false);
        }
        PacedCloser.Handle h = closing.remove(key);
        if (h != null) {
            h.cancel();
        }
    }

    private void persist(Pool pool, Backend b, Double rate) {
        Backend.State st = b.state();
        store.put(pool.name(), b.name(), new Override(st.admin(), st.weightOverride(), st.drainDeadline(), rate));
    }

    private void transition(Pool pool, Backend b, String from, String to, String cause) {
        log.info("backend {}/{}: {} -> {} ({})", pool.name(), b.name(), from, to, cause);
        registry.counter("sluice.backend.transitions", "pool", pool.name(), "backend", b.name(),
                "to", to.split(" ")[0]).increment();
    }

    void close() {
        deadlines.values().forEach(f -> f.cancel(false));
        closing.values().forEach(PacedCloser.Handle::cancel);
    }
}
