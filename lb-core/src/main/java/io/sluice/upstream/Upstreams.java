package io.sluice.upstream;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.sluice.backend.Backend;
import io.sluice.config.PoolConfig;
import io.sluice.discovery.Discovery;
import io.sluice.drain.Drains;
import io.sluice.health.HealthChecker;
import io.sluice.health.HealthListener;
import io.sluice.pool.Pool;
import io.sluice.proxy.ConnectObserver;
import io.sluice.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's upstreams (Envoy calls this the cluster manager): the pools by name, a health
 * checker per pool, passive health from real traffic, discovery of the pools that {@code
 * discover}, and the once-a-second upkeep of stick tables and slow-start ramps.
 *
 * <p>Thread ownership: {@link #apply}, {@link #tick} and every backend state change run on the
 * control thread (health checkers and registry sources hand their events there); the event loops
 * only read {@link #pools()} (one volatile snapshot) and report connect outcomes through
 * {@link #passiveHealth()}, which is lock-free.
 */
public final class Upstreams {

    /** Backend state changes log under the backend package's name, as operators' logback files expect. */
    private static final Logger log = LoggerFactory.getLogger("io.sluice.backend");
    private static final Logger startLog = LoggerFactory.getLogger(Upstreams.class);

    private final Transport transport;
    private final EventLoopGroup healthLoop;
    private final ScheduledExecutorService control;
    private final MeterRegistry registry;
    private final DiscoveredPools discovery;
    private final ConnectObserver passiveHealth = new PassiveHealth();
    private volatile Map<String, Pool> pools = Map.of();
    private volatile Map<String, HealthChecker> checkers = Map.of();

    /**
     * @param sources          the registry source for a pool that discovers
     * @param onFirstSnapshots called (control thread) once every discovering pool has its first snapshot
     * @param setChanged       called (control thread) after a pool's backend set changed
     */
    public Upstreams(Transport transport, EventLoopGroup healthLoop, ScheduledExecutorService control, Drains drains,
                     MeterRegistry registry, Function<PoolConfig, Discovery> sources, Runnable onFirstSnapshots,
                     Consumer<Pool> setChanged) {
        this.transport = transport;
        this.healthLoop = healthLoop;
        this.control = control;
        this.registry = registry;
        this.discovery = new DiscoveredPools(() -> pools, control, drains, sources, registry, onFirstSnapshots,
                pool -> {
                    backendSetChanged(pool);
                    setChanged.accept(pool);
                });
    }

    /** The pools by name, in config order: one immutable snapshot. Any thread. */
    public Map<String, Pool> pools() {
        return pools;
    }

    /** The health checkers by pool name. Any thread. */
    public Map<String, HealthChecker> checkers() {
        return checkers;
    }

    /** Where the relay reports each connect's outcome (passive health). Event loops; lock-free. */
    public ConnectObserver passiveHealth() {
        return passiveHealth;
    }

    /**
     * Control thread: pools (reusing existing ones by name) and health checkers from {@code configs},
     * {@code restore} on each pool before its checker is built (the operators' overrides), then the
     * registry sources are (re)started, keeping the last discovered sets while they reconnect.
     */
    public void apply(Map<String, PoolConfig> configs, Consumer<Pool> restore) {
        Map<String, Pool> old = pools;
        Map<String, Pool> built = new LinkedHashMap<>();
        for (PoolConfig pc : configs.values()) {
            Pool existing = old.get(pc.name());
            if (existing != null && existing.config().balance() == pc.balance()) {
                existing.reconfigure(pc);
                discovery.reapply(existing); // reconfigure set the static backends; add the discovered ones
                built.put(pc.name(), existing);
            } else {
                // New pool, or a new algorithm: a new Pool; connections on the old one run on untouched.
                // Backends keep their state by name: the health checker is kept when its settings did
                // not change and only reports transitions, so a DOWN backend must not restart UP here.
                built.put(pc.name(), new Pool(pc, System::nanoTime, existing));
            }
        }
        pools = Collections.unmodifiableMap(built);
        built.values().forEach(restore);
        buildCheckers(built);
        discovery.start(configs);
        for (Pool p : built.values()) {
            discovery.reapply(p); // pools new in this reload get their last known sets
        }
    }

    private void buildCheckers(Map<String, Pool> built) {
        Map<String, HealthChecker> oldCheckers = checkers;
        Map<String, HealthChecker> nextCheckers = new LinkedHashMap<>();
        HealthListener listener = new CheckerEvents();
        for (Pool p : built.values()) {
            HealthChecker c = oldCheckers.get(p.name());
            PoolConfig pc = p.config();
            if (c == null || !c.config().equals(pc.health()) || !c.passive().equals(pc.passive())) {
                if (c != null) {
                    c.close();
                    // A new checker starts every backend UP (optimistic); make the state agree, or a
                    // backend DOWN under the old checker would never be reported UP again.
                    for (Backend b : p.backends()) {
                        if (!b.state().up()) {
                            b.state().health(true, "health settings changed");
                        }
                    }
                    p.rebuild();
                }
                c = new HealthChecker(p.name(), pc.health(), pc.passive(), transport, healthLoop, listener, System::nanoTime);
            }
            c.update(p.backends());
            nextCheckers.put(p.name(), c);
        }
        oldCheckers.forEach((name, c) -> {
            if (!nextCheckers.containsKey(name)) {
                c.close();
            }
        });
        checkers = Collections.unmodifiableMap(nextCheckers);
    }

    /** A discovery snapshot changed a pool's backends: its health checks follow. Control thread. */
    private void backendSetChanged(Pool pool) {
        HealthChecker c = checkers.get(pool.name());
        if (c != null) {
            c.update(pool.backends());
        }
    }

    /** Control thread, every second: stick-table sweeps, slow-start ramps, backends that left the registry. */
    public void tick() {
        for (Pool p : pools.values()) {
            p.sweepStickTable();
            if (p.rampingUp()) {
                p.rebuild();
            }
        }
        discovery.tick();
    }

    /** Whether every discovering pool has had its first snapshot. */
    public boolean discoverySynced() {
        return discovery.allSynced();
    }

    /**
     * Waits (on the calling thread, never an event loop) until every discovering pool has its
     * first snapshot, or {@code atMost} passed (then logs it).
     */
    public void awaitDiscovery(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!discovery.allSynced() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!discovery.allSynced()) {
            startLog.warn("Taking over before every discovering pool has its first snapshot ({} passed)", atMost);
        }
    }

    /** Seconds since the pool's last discovery snapshot (one decimal), or null (not discovering, or none yet). */
    public Double discoveryStaleness(String pool) {
        double s = discovery.staleness(pool);
        return Double.isNaN(s) ? null : Math.round(s * 10) / 10.0;
    }

    /** Per discovering pool: staleness and whether its registry is reachable (for /readyz). */
    public Map<String, Object> discoveryDetails() {
        return discovery.details();
    }

    /**
     * One backend state change, logged with old state, new state and cause, and counted in
     * {@code sluice_backend_transitions_total}. Any thread.
     */
    public void transition(Pool pool, Backend b, String from, String to, String cause) {
        log.info("backend {}/{}: {} -> {} ({})", pool.name(), b.name(), from, to, cause);
        registry.counter("sluice.backend.transitions", "pool", pool.name(), "backend", b.name(),
                "to", to.split(" ")[0]).increment();
    }

    /** Shutdown, after the connections: registry sources (on the control thread), then health checks. */
    public void close() {
        control.execute(discovery::stop);
        checkers.values().forEach(HealthChecker::close);
    }

    /** Control thread: a health checker's verdict becomes the backend's state and a new pool snapshot. */
    private void healthChanged(String poolName, String backendName, boolean up, String cause) {
        Pool pool = pools.get(poolName);
        Backend b = pool == null ? null : pool.backend(backendName);
        if (b == null || b.state().up() == up) {
            return;
        }
        b.state().health(up, cause);
        transition(pool, b, up ? "down" : "up", up ? "up" : "down", cause);
        pool.rebuild();
    }

    /** Passive health: real traffic's connect outcomes go to the pool's checker. Event loops; lock-free. */
    private final class PassiveHealth implements ConnectObserver {
        @Override
        public void connectFailed(Pool pool, Backend backend) {
            HealthChecker c = checkers.get(pool.name());
            if (c != null) {
                c.connectFailed(backend);
            }
        }

        @Override
        public void connectSucceeded(Pool pool, Backend backend) {
            HealthChecker c = checkers.get(pool.name());
            if (c != null) {
                c.connectSucceeded(backend);
            }
        }
    }

    /** Health checkers' events (health event loop): state changes go to the control thread. */
    private final class CheckerEvents implements HealthListener {
        @Override
        public void healthChanged(String pool, Backend backend, boolean up, String cause) {
            control.execute(() -> {
                try {
                    Upstreams.this.healthChanged(pool, backend.name(), up, cause);
                } catch (RuntimeException e) {
                    log.error("backend state change failed", e);
                }
            });
        }

        @Override
        public void checked(String pool, Backend backend, Instant at, String result) {
            backend.state().checked(at, result);
            String word = result.split("[ :]", 2)[0];
            registry.counter("sluice.backend.health.checks", "pool", pool,
                    "backend", backend.name(), "result", word).increment();
        }
    }
}
