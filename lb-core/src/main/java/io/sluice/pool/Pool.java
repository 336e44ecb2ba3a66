package io.sluice.pool;

import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.balance.Balancer;
import io.sluice.balance.MaglevTable;
import io.sluice.config.BackendConfig;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.config.PoolConfig;
import io.sluice.sticky.StickTable;
import io.sluice.sticky.StickyKey;
import io.sluice.sticky.StickyKeyExtractor;
import java.net.InetAddress;
import java.time.Duration;
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
 * <p>The data path calls {@link #pick}; the control plane changes backends ({@link #update}), their
 * state (then {@link #rebuild}) or the pool's settings ({@link #reconfigure}), each of which builds a
 * new {@link PoolSnapshot} (balancer and Maglev table included) and publishes it with one volatile
 * write. Connections already open are never touched by a rebuild: a backend that leaves the set,
 * goes down or is drained keeps its relays until they end.
 *
 * <p>Eligible for new connections: health UP, admin READY, not drained by the registry, effective
 * weight &gt; 0. The effective
 * weight is the admin override or the configured weight, ramped up linearly over
 * {@code slow-start} after the backend comes back (not at daemon start, when every backend starts
 * at full weight).
 *
 * <p>Stickiness (docs/balancing.md, "Stick tables and agreement between nodes"): with Maglev the
 * table alone decides, so every node with the same table fingerprint sends a client to the same
 * backend; the stick table only records where each client's connections went and pins the entry
 * while one is open (shown by explain and {@code stick-table show}, handed over), and never
 * overrides the table, whose knowledge is this node's alone. With the other balancers, which are
 * per node by nature, a remembered backend that is still eligible (and not already tried by this
 * connection) wins. Either way the choice is remembered.
 */
public final class Pool {

    private final LongSupplier nanoClock;
    private volatile PoolConfig config;
    private volatile StickyKeyExtractor keys;
    private volatile StickTable stickTable;
    private volatile PoolSnapshot snapshot;

    public Pool(PoolConfig config, LongSupplier nanoClock) {
        this(config, nanoClock, null);
    }

    /**
     * A pool that replaces {@code previous} (a reload that changed the algorithm): backends that keep
     * their name keep their state and counters (health, admin state, weight override, open
     * connections), as they would through {@link #reconfigure}. Null: a pool from scratch.
     */
    public Pool(PoolConfig config, LongSupplier nanoClock, Pool previous) {
        this.nanoClock = nanoClock;
        this.config = config;
        this.keys = new StickyKeyExtractor(config.sticky());
        this.stickTable = newStickTable(config);
        this.snapshot = build(0, previous == null ? Map.of() : previous.snapshot.backends(), config.backends());
    }

    private StickTable newStickTable(PoolConfig c) {
        return keys.enabled() ? new StickTable(c.sticky().tableTtl(), c.sticky().tableSize(), nanoClock) : null;
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
        StickTable table = stickTable;
        if (table != null && s.maglev() == null) {
            StickTable.Entry entry = table.get(key);
            if (entry != null) {
                Backend remembered = s.eligibleByName(entry.backendName());
                if (remembered != null && !tried.contains(remembered)) {
                    return new Selection(remembered, entry, Decision.STICK_TABLE);
                }
            }
        }
        Backend chosen = s.balancer().pick(key.hash(), tried);
        if (chosen == null) {
            return null;
        }
        StickTable.Entry entry = table != null ? table.remember(key, chosen.name()) : null;
        return new Selection(chosen, entry, s.maglev() != null ? Decision.MAGLEV : Decision.BALANCER);
    }

    /**
     * The selection of a connection an earlier process routed to {@code backend} and handed over:
     * its client's stick entry (kept, or made for that backend) so it is pinned while it lasts.
     */
    public Selection adopted(InetAddress client, Backend backend) {
        StickTable table = stickTable;
        StickTable.Entry entry = null;
        if (table != null) {
            StickyKey key = keyOf(client);
            entry = table.get(key);
            if (entry == null) {
                entry = table.remember(key, backend.name());
            }
        }
        return new Selection(backend, entry, Decision.HANDOVER);
    }

    /**
     * What {@link #pick} would choose for {@code key} now, without remembering anything (admin
     * explain). Null when no backend is eligible.
     */
    public Selection peek(StickyKey key) {
        PoolSnapshot s = snapshot;
        StickTable table = stickTable;
        if (table != null && s.maglev() == null) {
            StickTable.Entry entry = table.get(key);
            if (entry != null) {
                Backend remembered = s.eligibleByName(entry.backendName());
                if (remembered != null) {
                    return new Selection(remembered, entry, Decision.STICK_TABLE);
                }
            }
        }
        if (s.maglev() != null) {
            Backend b = s.maglev().lookup(key.hash());
            return b == null ? null : new Selection(b, table == null ? null : table.get(key), Decision.MAGLEV);
        }
        // Other balancers advance on every pick; a peek can only say which backends are candidates.
        return s.eligible().isEmpty() ? null : new Selection(null, table == null ? null : table.get(key), Decision.BALANCER);
    }

    /** Replaces the backend set (control thread). Backends keep their identity, state and counters by name. */
    public synchronized void update(List<BackendConfig> backendConfigs) {
        PoolSnapshot old = snapshot;
        snapshot = build(old.generation() + 1, old.backends(), backendConfigs);
    }

    /**
     * Applies a reloaded config of the same pool (control thread): settings and backends. The stick
     * table is kept unless the sticky settings changed.
     */
    public synchronized void reconfigure(PoolConfig newConfig) {
        PoolConfig old = config;
        config = newConfig;
        if (!old.sticky().equals(newConfig.sticky())) {
            keys = new StickyKeyExtractor(newConfig.sticky());
            stickTable = newStickTable(newConfig);
        }
        update(newConfig.backends());
    }

    /** Rebuilds the snapshot after backend state changes (health, admin, weight, slow start). Control thread. */
    public synchronized void rebuild() {
        PoolSnapshot old = snapshot;
        List<BackendConfig> current = new ArrayList<>();
        for (Backend b : old.backends().values()) {
            current.add(new BackendConfig(b.name(), b.address(), b.configuredWeight()));
        }
        snapshot = build(old.generation() + 1, old.backends(), current);
    }

    /** Whether a backend is still ramping up (slow start), so the control thread keeps rebuilding. */
    public boolean rampingUp() {
        Duration slow = config.slowStart();
        if (slow.isZero()) {
            return false;
        }
        long now = nanoClock.getAsLong();
        for (Backend b : snapshot.backends().values()) {
            long since = b.state().eligibleSinceNanos();
            if (since != 0 && now - since < slow.toNanos()) {
                return true;
            }
        }
        return false;
    }

    /** Expires stick-table entries. Control thread only. */
    public void sweepStickTable() {
        StickTable table = stickTable;
        if (table != null) {
            table.sweep();
        }
    }

    /** The stick table, or null when the pool is not sticky. */
    public StickTable stickTable() {
        return stickTable;
    }

    /** Every backend of the current snapshot, sorted by name, with its effective weight where eligible. */
    public List<Backend> backends() {
        List<Backend> all = new ArrayList<>(snapshot.backends().values());
        all.sort(Comparator.comparing(Backend::name));
        return all;
    }

    /** A backend by name, or null. */
    public Backend backend(String name) {
        return snapshot.backends().get(name);
    }

    /** The backends that take new connections now, sorted by name, with their effective weights. */
    public List<Backend> eligibleBackends() {
        return snapshot.eligible();
    }

    /** The current Maglev table, or null when the pool does not use Maglev. */
    public MaglevTable maglevTable() {
        return snapshot.maglev();
    }

    public long generation() {
        return snapshot.generation();
    }

    /** The weight a balancer should use for {@code b} now; 0 when it may not take new connections. */
    int effectiveWeight(Backend b, long now) {
        Backend.State st = b.state();
        if (!st.up() || st.admin() != AdminState.READY || st.registryDrain() != null) {
            return 0;
        }
        int w = st.weightOverride() != null ? st.weightOverride() : b.configuredWeight();
        Duration slow = config.slowStart();
        long since = st.eligibleSinceNanos();
        if (w > 0 && !slow.isZero() && since != 0) {
            long elapsed = now - since;
            if (elapsed < slow.toNanos()) {
                // Linear ramp, never below 1 so the backend does get its first connections.
                w = (int) Math.max(1, w * elapsed / slow.toNanos());
            }
        }
        return w;
    }

    private PoolSnapshot build(long generation, Map<String, Backend> previous, List<BackendConfig> backendConfigs) {
        long now = nanoClock.getAsLong();
        PoolSnapshot old = snapshot;
        Map<String, Backend> byName = new LinkedHashMap<>();
        List<Backend> eligible = new ArrayList<>();
        backendConfigs.stream()
                .sorted(Comparator.comparing(BackendConfig::name))
                .forEach(bc -> {
                    Backend prior = previous.get(bc.name());
                    Backend b = prior == null
                            ? new Backend(bc.name(), bc.address(), bc.weight())
                            : prior.withSettings(bc.address(), bc.weight());
                    boolean wasEligible = old != null && old.eligibleByName(bc.name()) != null;
                    int w = effectiveWeight(b, now);
                    if (w > 0 && !wasEligible && old != null && prior != null && !config.slowStart().isZero()) {
                        // Back after being out (down, drained, weight 0): start the ramp now.
                        b.state().eligibleSince(now);
                        w = effectiveWeight(b, now);
                    }
                    byName.put(bc.name(), b);
                    if (w > 0) {
                        eligible.add(b.withEffectiveWeight(w));
                    }
                });
        List<Backend> frozen = List.copyOf(eligible);
        MaglevTable maglev = config.balance() == BalanceAlgorithm.MAGLEV
                ? MaglevTable.build(frozen, config.maglevTableSize())
                : null;
        return new PoolSnapshot(generation, Map.copyOf(byName), frozen, balancerFor(frozen, maglev), maglev);
    }

    private Balancer balancerFor(List<Backend> eligible, MaglevTable maglev) {
        return switch (config.balance()) {
            case ROUND_ROBIN -> Balancer.roundRobin(eligible);
            case LEAST_CONN -> Balancer.leastConnections(eligible);
            case MAGLEV -> Balancer.maglev(maglev);
            case RANDOM_TWO -> Balancer.randomTwo(eligible);
        };
    }

    /** How a pick was made. */
    public enum Decision {
        STICK_TABLE("stick-table"), MAGLEV("maglev"), BALANCER("balancer"),
        /** Routed by an earlier Sluice process, which handed the connection over. */
        HANDOVER("handover");

        private final String word;

        Decision(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    /**
     * A pick: the backend, the stick-table entry to pin once the connection is established (null
     * for non-sticky pools or a full table), and how it was decided.
     */
    public record Selection(Backend backend, StickTable.Entry stickEntry, Decision decision) {
        public Selection(Backend backend, StickTable.Entry stickEntry) {
            this(backend, stickEntry, Decision.BALANCER);
        }
    }
}
