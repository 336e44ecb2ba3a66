package io.sluice.health;

import io.netty.channel.EventLoopGroup;
import io.sluice.backend.Backend;
import io.sluice.config.HealthConfig;
import io.sluice.config.PassiveConfig;
import io.sluice.transport.Transport;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of one pool's backends: active checks (tcp, http, tls-hello, or none) and passive
 * ejection on connect failures of real traffic. Reports transitions and check results to a
 * {@link HealthListener}; see docs/health-checks.md for the behaviour operators see.
 *
 * <p>Backends start UP (optimistic), so a restart does not refuse all traffic until the first checks
 * are done; a backend added later starts UP too.
 *
 * <p>Threading: {@link #update} and {@link #close} are called by the control thread; checks, timers
 * and state changes run on {@code group} (the dedicated {@code sluice-health} loop, never the data
 * path), each backend pinned to one of its loops; {@link #connectFailed} and
 * {@link #connectSucceeded} are called on IO event loops and never block; {@link #isUp} from anywhere.
 */
public final class HealthChecker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("io.sluice.health");

    private final String pool;
    private final HealthConfig config;
    private final PassiveConfig passive;
    private final Transport transport;
    private final EventLoopGroup group;
    private final HealthListener listener;
    private final LongSupplier nanoClock;
    private final ActiveCheck check;
    private final Map<String, BackendHealth> backends = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this

    /**
     * One per pool. Runs checks on {@code group}, each backend every interval with up to 10% jitter,
     * the first check after a random delay within one interval (so checks of many backends spread
     * out). Nothing runs until {@link #update} names the backends.
     *
     * @param nanoClock the time ejections are measured with ({@code System::nanoTime}; tests may pass
     *                  a fake). Check timers use the event loop's own clock.
     * @throws IllegalArgumentException if the tls-hello check's TLS context cannot be built
     */
    public HealthChecker(String pool, HealthConfig config, PassiveConfig passive, Transport transport,
                         EventLoopGroup group, HealthListener listener, LongSupplier nanoClock) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.config = Objects.requireNonNull(config, "config");
        this.passive = Objects.requireNonNull(passive, "passive");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.group = Objects.requireNonNull(group, "group");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        try {
            this.check = ActiveCheck.of(config);
        } catch (SSLException e) {
            throw new IllegalArgumentException("pool " + pool + ": cannot set up the tls-hello check: " + e.getMessage(), e);
        }
    }

    /**
     * The backends to check now: the pool's current backends, including the ones not eligible for
     * traffic (drained, weight 0). Control thread, whenever the set changes. Starts checks for new
     * names, stops them for removed names; a backend object replaced by a new one with the same name
     * (new address or weight) keeps its health, and later checks dial the newest address. A name that
     * is removed and added again starts over (UP).
     */
    public synchronized void update(List<Backend> current) {
        if (closed) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (Backend backend : current) {
            names.add(backend.name());
            BackendHealth health = backends.get(backend.name());
            if (health == null) {
                health = new BackendHealth(this, backend, group.next());
                backends.put(backend.name(), health);
                health.start();
            } else {
                health.backend(backend);
            }
        }
        for (Iterator<Map.Entry<String, BackendHealth>> it = backends.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, BackendHealth> entry = it.next();
            if (!names.contains(entry.getKey())) {
                it.remove();
                entry.getValue().stop();
            }
        }
    }

    /**
     * Data path: a real connection's connect to {@code backend} failed. IO event loops; lock-free.
     * {@code consecutive-failures} in a row take the backend DOWN and eject it for
     * {@code passive.ejection}. Ignored when passive checks are off or the backend is unknown.
     */
    public void connectFailed(Backend backend) {
        if (passive.consecutiveFailures() == 0) {
            return;
        }
        BackendHealth health = backends.get(backend.name());
        if (health != null) {
            health.connectFailed();
        }
    }

    /** Data path: a real connection's connect to {@code backend} succeeded; ends a run of failures. No allocation. */
    public void connectSucceeded(Backend backend) {
        if (passive.consecutiveFailures() == 0) {
            return;
        }
        BackendHealth health = backends.get(backend.name());
        if (health != null) {
            health.connectSucceeded();
        }
    }

    /**
     * Whether the backend is UP now, for the admin API. Backends start UP (optimistic start); a name
     * this checker does not know is reported UP as well, the state it would start in.
     */
    public boolean isUp(String backendName) {
        BackendHealth health = backends.get(backendName);
        return health == null || health.up();
    }

    /**
     * Stops every check: timers cancelled, in-flight check channels closed (on the health loop, soon
     * after this returns; it does not wait). No callbacks follow. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (BackendHealth health : backends.values()) {
            health.stop();
        }
        backends.clear();
    }

    String pool() {
        return pool;
    }

    public HealthConfig config() {
        return config;
    }

    public PassiveConfig passive() {
        return passive;
    }

    Transport transport() {
        return transport;
    }

    LongSupplier nanoClock() {
        return nanoClock;
    }

    /** The active check, or null for type none. */
    ActiveCheck check() {
        return check;
    }

    void reportChecked(Backend backend, Instant at, String result) {
        try {
            listener.checked(pool, backend, at, result);
        } catch (RuntimeException e) {
            log.warn("health listener failed on a check result of {}/{}", pool, backend.name(), e);
        }
    }

    void reportChanged(Backend backend, boolean up, String cause) {
        try {
            listener.healthChanged(pool, backend, up, cause);
        } catch (RuntimeException e) {
            log.warn("health listener failed on a transition of {}/{}", pool, backend.name(), e);
        }
    }
}
