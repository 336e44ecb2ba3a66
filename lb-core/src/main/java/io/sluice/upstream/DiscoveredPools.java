package io.sluice.upstream;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.backend.Backend;
import io.sluice.config.BackendConfig;
import io.sluice.config.PoolConfig;
import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.Discovery;
import io.sluice.discovery.DiscoveryListener;
import io.sluice.drain.Drains;
import io.sluice.drain.RegistryDrain;
import io.sluice.pool.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps pools that {@code discover} backends in step with their registry, on the control thread.
 *
 * <p>A pool's backend set is its static {@code backends} plus the latest snapshot of its source.
 * The registry's lifecycle maps onto backend states rather than plain add/remove: maintenance and
 * critical drain the backend (existing connections stay; critical and vanished ones get the pool's
 * drain deadline), warning uses the reported weight, and an instance that disappears is drained and
 * kept until its last connection ends. Backends are identified by the registry's stable id, so every
 * node builds the same Maglev table.
 *
 * <p>Registry outages: the last set stays in force; reachability and staleness (seconds since the
 * last successful contact with the registry: 0 while the source reports it reachable, a quiet
 * registry included) are exported per pool, and the outage is logged once per state change by the
 * source. Each backend added, drained, restored, removed or forgotten is logged at INFO and counted
 * ({@code sluice_discovery_changes_total}).
 */
final class DiscoveredPools implements DiscoveryListener {

    private static final Logger log = LoggerFactory.getLogger("io.sluice.discovery");

    private final Supplier<Map<String, Pool>> pools;
    private final ScheduledExecutorService control;
    private final Drains drains;
    private final Function<PoolConfig, Discovery> sources;
    private final MeterRegistry registry;
    private final Runnable onFirstSnapshots;
    private final Consumer<Pool> setChanged;
    private final Map<String, Discovery> running = new LinkedHashMap<>();
    /** Latest discovered set per pool, by backend name. Control thread. */
    private final Map<String, Map<String, DiscoveredBackend>> discovered = new HashMap<>();
    /** Backends that left the registry but still have connections. Control thread. */
    private final Map<String, Map<String, BackendConfig>> lingering = new HashMap<>();
    /** When the pool's source last had the registry answering (snapshot, or reachable reported). */
    private final Map<String, Long> lastContactNanos = new ConcurrentHashMap<>();
    private final Map<String, Boolean> connected = new ConcurrentHashMap<>();

    DiscoveredPools(Supplier<Map<String, Pool>> pools, ScheduledExecutorService control, Drains drains,
                    Function<PoolConfig, Discovery> sources, MeterRegistry registry, Runnable onFirstSnapshots,
                    Consumer<Pool> setChanged) {
        this.pools = pools;
        this.control = control;
        this.drains = drains;
        this.sources = sources;
        this.registry = registry;
        this.onFirstSnapshots = onFirstSnapshots;
        this.setChanged = setChanged;
    }

    /** (Re)starts the sources of the pools that discover. Control thread. Keeps last sets across restarts. */
    void start(Map<String, PoolConfig> configs) {
        stop();
        for (PoolConfig pc : configs.values()) {
            if (pc.discover() == null) {
                continue;
            }
            Discovery d = sources.apply(pc);
            running.put(pc.name(), d);
            String name = pc.name();
            Gauge.builder("sluice.discovery.staleness", () -> staleness(name))
                    .description("Seconds since the pool's registry last answered (0 while reachable; NaN before the first answer)")
                    .baseUnit("seconds").tag("pool", name).register(registry);
            Gauge.builder("sluice.discovery.registry.reachable", () -> connected.getOrDefault(name, false) ? 1 : 0)
                    .description("1 while the pool's discovery source reaches its registry")
                    .tag("pool", name).tag("registry", registryOf(pc)).register(registry);
            d.start(this);
        }
        discovered.keySet().retainAll(running.keySet());
        checkFirstSnapshots();
    }

    /** Whether every discovering pool has had its first snapshot. */
    boolean allSynced() {
        for (String pool : running.keySet()) {
            if (!discovered.containsKey(pool)) {
                return false;
            }
        }
        return true;
    }

    boolean discovering() {
        return !running.isEmpty();
    }

    /**
     * Seconds since the pool's registry last answered: 0 while the source reports it reachable (a
     * quiet registry is not stale), else the time since it last did. NaN before the first answer.
     */
    double staleness(String pool) {
        Long at = lastContactNanos.get(pool);
        if (at == null) {
            return Double.NaN;
        }
        return connected.getOrDefault(pool, false) ? 0 : (System.nanoTime() - at) / 1e9;
    }

    private static String registryOf(PoolConfig pc) {
        return pc.discover().zookeeperService() != null ? "zookeeper" : "consul";
    }

    private void count(String pool, String change) {
        registry.counter("sluice.discovery.changes", "pool", pool, "change", change).increment();
    }

    /** Per pool: staleness in seconds (-1 before the first snapshot) and whether the registry is reachable. */
    Map<String, Object> details() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String pool : running.keySet()) {
            double s = staleness(pool);
            out.put(pool, Map.of("staleness_seconds", Double.isNaN(s) ? -1 : Math.round(s),
                    "registry_reachable", connected.getOrDefault(pool, false)));
        }
        return out;
    }

    @Override
    public void snapshot(String pool, List<DiscoveredBackend> backends) {
        List<DiscoveredBackend> copy = List.copyOf(backends);
        control.execute(() -> {
            try {
                apply(pool, copy);
            } catch (RuntimeException e) {
                log.error("discovery snapshot for pool {} failed to apply", pool, e);
            }
        });
    }

    @Override
    public void connectivity(String pool, boolean healthy, String detail) {
        // Going away now: until this moment the source had it (its last retry is at most a backoff ago).
        lastContactNanos.put(pool, System.nanoTime());
        connected.put(pool, healthy);
        if (healthy) {
            log.info("discovery for pool {}: registry reachable again ({})", pool, detail);
        } else {
            log.warn("discovery for pool {}: registry unreachable ({}); routing on the last known set", pool, detail);
        }
    }

    /** Control thread. */
    private void apply(String poolName, List<DiscoveredBackend> snapshot) {
        Pool pool = pools.get().get(poolName);
        if (pool == null || !running.containsKey(poolName)) {
            return;
        }
        boolean first = !discovered.containsKey(poolName);
        lastContactNanos.put(poolName, System.nanoTime());
        connected.put(poolName, true);
        Map<String, DiscoveredBackend> now = new LinkedHashMap<>();
        snapshot.forEach(b -> now.put(b.name(), b));
        Map<String, DiscoveredBackend> before = discovered.getOrDefault(poolName, Map.of());
        discovered.put(poolName, now);
        Map<String, BackendConfig> gone = lingering.computeIfAbsent(poolName, k -> new LinkedHashMap<>());
        for (DiscoveredBackend old : before.values()) {
            if (!now.containsKey(old.name())) {
                gone.put(old.name(), new BackendConfig(old.name(), old.address(), old.weight()));
            }
        }
        now.keySet().forEach(gone::remove);
        logChanges(pool, first, before, now);
        pool.update(backendSet(pool.config(), now, gone));
        List<Backend> withDeadline = new ArrayList<>();
        for (Backend b : pool.backends()) {
            DiscoveredBackend d = now.get(b.name());
            RegistryDrain why;
            if (gone.containsKey(b.name())) {
                why = RegistryDrain.GONE;
            } else if (d == null) {
                why = null; // a static backend
            } else if (d.status() == DiscoveredBackend.Status.MAINTENANCE) {
                why = RegistryDrain.MAINTENANCE;
            } else if (d.status() == DiscoveredBackend.Status.CRITICAL) {
                why = RegistryDrain.CRITICAL;
            } else {
                why = null;
            }
            String drainedBefore = b.state().registryDrain();
            if (drains.registry(pool, b, why)) {
                withDeadline.add(b);
            }
            if (drainedBefore == null && why != null && why != RegistryDrain.GONE) {
                count(poolName, "drained");
            } else if (drainedBefore != null && why == null) {
                count(poolName, "restored");
            }
        }
        pool.rebuild();
        withDeadline.forEach(b -> drains.registryDeadline(pool, b, pool.config().drain().deadline()));
        setChanged.accept(pool);
        if (first) {
            log.info("discovery for pool {}: first snapshot, {} backends ({})", poolName, now.size(),
                    String.join(", ", now.keySet()));
            checkFirstSnapshots();
        }
    }

    /** INFO lines and counts of backends that entered or left the registry's answer. Control thread. */
    private void logChanges(Pool pool, boolean first, Map<String, DiscoveredBackend> before,
                            Map<String, DiscoveredBackend> now) {
        for (DiscoveredBackend d : now.values()) {
            if (!before.containsKey(d.name())) {
                count(pool.name(), "added");
                if (!first) {
                    log.info("discovery for pool {}: added backend {} at {} (weight {})", pool.name(), d.name(),
                            d.address(), d.weight());
                }
            }
        }
        for (DiscoveredBackend old : before.values()) {
            if (!now.containsKey(old.name())) {
                count(pool.name(), "removed");
                Backend b = pool.backend(old.name());
                int open = b == null ? 0 : b.activeConnections();
                log.info("discovery for pool {}: backend {} left the registry; drained, {} connection(s) open"
                        + " (forgotten when the last ends)", pool.name(), old.name(), open);
            }
        }
    }

    /** Static backends, then discovered ones, then those that left but still have connections. */
    private static List<BackendConfig> backendSet(PoolConfig config, Map<String, DiscoveredBackend> now,
                                                  Map<String, BackendConfig> gone) {
        Map<String, BackendConfig> all = new LinkedHashMap<>();
        config.backends().forEach(b -> all.put(b.name(), b));
        now.values().forEach(d -> all.putIfAbsent(d.name(), new BackendConfig(d.name(), d.address(),
                Math.max(0, Math.min(1000, d.weight())))));
        gone.values().forEach(b -> all.putIfAbsent(b.name(), b));
        return List.copyOf(all.values());
    }

    /** Forgets backends that left the registry once their last connection is gone. Control thread, every second. */
    void tick() {
        for (Map.Entry<String, Map<String, BackendConfig>> e : lingering.entrySet()) {
            Pool pool = pools.get().get(e.getKey());
            if (pool == null || e.getValue().isEmpty()) {
                continue;
            }
            boolean removed = e.getValue().keySet().removeIf(name -> {
                Backend b = pool.backend(name);
                boolean forget = b == null || b.activeConnections() == 0;
                if (forget) {
                    count(pool.name(), "forgotten");
                    log.info("discovery for pool {}: forgot backend {} (left the registry; no connection left)",
                            pool.name(), name);
                }
                return forget;
            });
            if (removed) {
                pool.update(backendSet(pool.config(), discovered.getOrDefault(e.getKey(), Map.of()), e.getValue()));
                setChanged.accept(pool);
            }
        }
    }

    /** A reload rebuilt the pool from its static config: put the discovered backends back. Control thread. */
    void reapply(Pool pool) {
        Map<String, DiscoveredBackend> now = discovered.get(pool.name());
        if (now != null) {
            apply(pool.name(), List.copyOf(now.values()));
        }
    }

    private void checkFirstSnapshots() {
        if (allSynced()) {
            onFirstSnapshots.run();
        }
    }

    void stop() {
        running.values().forEach(Discovery::close);
        running.clear();
    }
}
