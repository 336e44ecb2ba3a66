package io.sluice.pool;

import io.sluice.backend.Backend;
import io.sluice.balance.Balancer;
import io.sluice.config.BackendConfig;
import io.sluice.config.PoolConfig;
import io.sluice.sticky.StickTable;
import io.sluice.sticky.StickyKey;
import io.sluice.sticky.StickyKeyExtractor;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A named set of backends and how new connections are spread over them.
 *
 * <p>The data path calls {@link #pick}; the control plane calls {@link #update} with a new backend
 * list, which builds a new {@link PoolSnapshot} (balancer included) and publishes it with one
 * volatile write. Connections already open are never touched by an update: a backend that leaves
 * the set keeps its relays until they end.
 *
 * <p>Stickiness: if the pool has a sticky key, the stick table is consulted first; a remembered
 * backend that is still eligible (and not already tried by this connection) wins. Otherwise the
 * balancer chooses and the choice is remembered.
 */
public final class Pool {

    private final PoolConfig config;
    private final StickyKeyExtractor keys;
    private final StickTable stickTable;
    private volatile PoolSnapshot snapshot;

    public Pool(PoolConfig config, LongSupplier nanoClock) {
        this.config = config;
        this.keys = new StickyKeyExtractor(config.sticky());
        this.stickTable = keys.enabled()
                ? new StickTable(config.sticky().tableTtl(), config.sticky().tableSize(), nanoClock)
                : null;
        this.snapshot = build(0, Map.of(), config.backends());
    }

    public String name() {
        return config.name();
    }

    public PoolConfig config() {
        return config;
    }

    /** The sticky key of a client of this pool. */
    public StickyKey keyOf(InetAddress client) {
        return keys.keyOf(client);
    }

    /**
     * Chooses a backend for a new connection. Called on event loops; never blocks.
     *
     * @param key   the client's key from {@link #keyOf}
     * @param tried backends whose connect already failed for this connection
     * @return the choice, or null if no eligible backend is left
     */
    public Selection pick(StickyKey key, Collection<Backend> tried) {
        PoolSnapshot s = snapshot;
        if (stickTable != null) {
            StickTable.Entry entry = stickTable.get(key);
            if (entry != null) {
                Backend remembered = s.eligibleByName(entry.backendName());
                if (remembered != null && !tried.contains(remembered)) {
                    return new Selection(remembered, entry);
                }
            }
        }
        Backend chosen = s.balancer().pick(key.hash(), tried);
        if (chosen == null) {
            return null;
        }
        StickTable.Entry entry = stickTable != null ? stickTable.remember(key, chosen.name()) : null;
        return new Selection(chosen, entry);
    }

    /**
     * Replaces the backend set. Control thread only (not thread-safe against itself). Backends keep
     * their identity, and so their counters, by name.
     */
    public synchronized void update(List<BackendConfig> backendConfigs) {
        PoolSnapshot old = snapshot;
        snapshot = build(old.generation() + 1, old.backends(), backendConfigs);
    }

    /** Expires stick-table entries. Control thread only. */
    public void sweepStickTable() {
        if (stickTable != null) {
            stickTable.sweep();
        }
    }

    /** The stick table, or null when the pool is not sticky. */
    public StickTable stickTable() {
        return stickTable;
    }

    /** Every backend of the current snapshot, sorted by name. */
    public List<Backend> backends() {
        List<Backend> all = new ArrayList<>(snapshot.backends().values());
        all.sort(Comparator.comparing(Backend::name));
        return all;
    }

    /** The backends that take new connections now, sorted by name. */
    public List<Backend> eligibleBackends() {
        return snapshot.eligible();
    }

    public long generation() {
        return snapshot.generation();
    }

    private PoolSnapshot build(long generation, Map<String, Backend> previous, List<BackendConfig> backendConfigs) {
        Map<String, Backend> byName = new LinkedHashMap<>();
        backendConfigs.stream()
                .sorted(Comparator.comparing(BackendConfig::name))
                .forEach(bc -> {
                    Backend prior = previous.get(bc.name());
                    byName.put(bc.name(), prior == null
                            ? new Backend(bc.name(), bc.address(), bc.weight())
                            : prior.withSettings(bc.address(), bc.weight()));
                });
        List<Backend> eligible = byName.values().stream().filter(b -> b.weight() > 0).toList();
        return new PoolSnapshot(generation, Map.copyOf(byName), eligible, balancerFor(eligible));
    }

    private Balancer balancerFor(List<Backend> eligible) {
        return switch (config.balance()) {
            case ROUND_ROBIN -> Balancer.roundRobin(eligible);
            case LEAST_CONN -> Balancer.leastConnections(eligible);
            case MAGLEV -> Balancer.maglev(eligible, config.maglevTableSize());
            case RANDOM_TWO -> Balancer.randomTwo(eligible);
        };
    }

    /**
     * A pick: the backend, and the stick-table entry to pin once the connection is established
     * (null for non-sticky pools or a full table).
     */
    public record Selection(Backend backend, StickTable.Entry stickEntry) {}
}
