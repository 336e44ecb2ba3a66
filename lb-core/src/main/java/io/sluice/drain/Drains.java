package io.sluice.drain;

import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.pool.Pool;
import io.sluice.proxy.CloseReason;
import io.sluice.proxy.Connection;
import io.sluice.proxy.ConnectionTracker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a drain does over time, per backend: the deadline after which a drained backend's remaining
 * connections are closed, and that close itself, paced by {@link PacedCloser}. Two kinds of drain
 * arm it: an operator's ({@code drain}/{@code maint}, an {@link AdminState} other than READY, with
 * the deadline and close rate of the call or the pool's {@code drain:} settings) and the
 * registry's ({@link RegistryDrain}: maintenance, or critical or gone with the pool's deadline). Whether a
 * drained backend gets new connections is the pool's decision ({@link Pool#rebuild}); this class
 * only ends the old ones.
 *
 * <p>Control thread only: the timers run on the control executor, and every method is called there.
 */
public final class Drains {

    /** Registry drains log with discovery, where operators look for what the registry said. */
    private static final Logger registryLog = LoggerFactory.getLogger("io.sluice.discovery");

    private final ScheduledExecutorService control;
    private final ConnectionTracker tracker;
    /** Deadlines by "pool/backend" (operator) and "pool/backend#registry" (registry). */
    private final Map<String, ScheduledFuture<?>> deadlines = new HashMap<>();
    private final Map<String, PacedCloser.Handle> closing = new HashMap<>();

    public Drains(ScheduledExecutorService control, ConnectionTracker tracker) {
        this.control = control;
        this.tracker = tracker;
    }

    /**
     * An operator's drain of {@code b} until {@code deadline}: then, unless it is READY again, its
     * remaining connections are closed at {@code rate}/s (the pool's close rate when null).
     */
    public void deadline(Pool pool, Backend b, Instant deadline, Double rate) {
        String key = key(pool, b);
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
     * The registry's word on {@code b}: why it drains it, or null when it does not, who set it and the
     * reason given (null when the registry does not tell). Sets the backend's registry drain and logs a
     * change (the pool's next rebuild acts on it).
     *
     * @return true when a drain with a deadline started now: arm it with {@link #registryDeadline}
     *         once the pool is rebuilt
     */
    public boolean registry(Pool pool, Backend b, RegistryDrain why, String by, String reason) {
        String cause = why == null ? null : why.cause();
        String old = b.state().registryDrain();
        Duration poolDeadline = pool.config().drain().deadline();
        boolean armed = why != null && why.withDeadline() && poolDeadline != null;
        b.state().registryDrain(cause, by, reason, armed && !cause.equals(old) ? Instant.now().plus(poolDeadline) : null);
        if (cause != null && !cause.equals(old)) {
            registryLog.info("backend {}/{}: {} -> drain ({}{}{})", pool.name(), b.name(), old == null ? "in registry" : old,
                    cause, by == null ? "" : ", by " + by, reason == null ? "" : ", reason: " + reason);
            return armed;
        }
        if (cause == null && old != null) {
            registryLog.info("backend {}/{}: drain -> in registry ({})", pool.name(), b.name(), "back in the registry");
        }
        return false;
    }

    /**
     * The registry drained {@code b} (critical, or gone): if it is still drained by the registry
     * after {@code deadline}, its remaining connections are closed at the pool's close rate.
     */
    public void registryDeadline(Pool pool, Backend b, Duration deadline) {
        String key = key(pool, b) + "#registry";
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

    /** Closes {@code b}'s connections now, at {@code rate}/s with jitter ({@code maint --kill}, a deadline). */
    public void closeRemaining(Pool pool, Backend b, double rate, String why) {
        String key = key(pool, b);
        List<Connection> victims = connectionsOf(pool.name(), b.name());
        closing.put(key, PacedCloser.closeAll(victims, rate, CloseReason.ADMIN, control, key + " " + why));
    }

    /** The operator changed {@code b}'s admin state: its deadline and a paced close under way stop. */
    public void cancel(Pool pool, Backend b) {
        String key = key(pool, b);
        ScheduledFuture<?> d = deadlines.remove(key);
        if (d != null) {
            d.cancel(false);
        }
        PacedCloser.Handle h = closing.remove(key);
        if (h != null) {
            h.cancel();
        }
    }

    /** Live connections relayed to pool/backend now. */
    private List<Connection> connectionsOf(String poolName, String backendName) {
        List<Connection> out = new ArrayList<>();
        for (Connection c : tracker.all()) {
            Backend b = c.backend();
            if (b != null && b.name().equals(backendName) && c.pool() != null && c.pool().name().equals(poolName)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Shutdown: no deadline fires and no paced close goes on. */
    public void close() {
        deadlines.values().forEach(f -> f.cancel(false));
        closing.values().forEach(PacedCloser.Handle::cancel);
    }

    private static String key(Pool pool, Backend b) {
        return pool.name() + "/" + b.name();
    }
}
