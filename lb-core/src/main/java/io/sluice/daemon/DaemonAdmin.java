package io.sluice.daemon;

import io.sluice.admin.AdminOperations;
import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.CheckHistoryView;
import io.sluice.adminapi.DrainView;
import io.sluice.adminapi.ConnectionView;
import io.sluice.adminapi.DirectExplainView;
import io.sluice.adminapi.DirectView;
import io.sluice.adminapi.ExplainView;
import io.sluice.adminapi.HistoryView;
import io.sluice.adminapi.PoolView;
import io.sluice.adminapi.Readiness;
import io.sluice.adminapi.ReloadResult;
import io.sluice.adminapi.StatusView;
import io.sluice.adminapi.StickTableView;
import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.backend.DrainMark;
import io.sluice.balance.MaglevTable;
import io.sluice.config.ListenerConfig;
import io.sluice.config.NoSniAction;
import io.sluice.config.RouteConfig;
import io.sluice.handover.HandoverStatus;
import io.sluice.history.TrafficHistory;
import io.sluice.listener.Listener;
import io.sluice.metrics.DaemonMetrics;
import io.sluice.pool.Pool;
import io.sluice.proxy.Connection;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.route.RouteMatch;
import io.sluice.route.RouteTable;
import io.sluice.sticky.StickTable;
import io.sluice.state.StoreWrite;
import io.sluice.sticky.StickyKey;
import io.sluice.transport.Transport;
import io.sluice.upstream.Upstreams;
import io.sluice.yaml.ConfigError;
import io.sluice.yaml.ConfigException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The daemon's side of the admin API: views built from live state, and admin actions applied on
 * the control thread (awaited, so the API answers with the state after the change). Called on the
 * admin server's threads; everything it reads is a published snapshot or thread-safe.
 */
final class DaemonAdmin implements AdminOperations {

    private static final String API = "admin api";

    private final Instant startedAt;
    private final Transport transport;
    private final Lifecycle lifecycle;
    private final ControlPlane plane;
    private final Upstreams upstreams;
    private final BoundListeners listeners;
    private final ConnectionTracker tracker;
    private final HandoverStatus handover;
    private final DaemonMetrics metrics;
    private final StoreAnswers storeAnswers;
    private final TrafficHistory history;

    DaemonAdmin(Instant startedAt, Transport transport, Lifecycle lifecycle, ControlPlane plane, Upstreams upstreams,
                BoundListeners listeners, ConnectionTracker tracker, HandoverStatus handover, DaemonMetrics metrics,
                TrafficHistory history) {
        this.history = history;
        this.startedAt = startedAt;
        this.transport = transport;
        this.lifecycle = lifecycle;
        this.plane = plane;
        this.upstreams = upstreams;
        this.listeners = listeners;
        this.tracker = tracker;
        this.handover = handover;
        this.metrics = metrics;
        this.storeAnswers = new StoreAnswers(plane.overrides());
    }

    @Override
    public StatusView status() {
        List<StatusView.Listener> listeners = new ArrayList<>();
        for (Listener l : this.listeners.all()) {
            ListenerConfig lc = l.config();
            listeners.add(new StatusView.Listener(lc.name(), BoundListeners.hostPort(l.localAddress()),
                    lc.mode().yamlName(), poolsOf(lc)));
        }
        DirectView direct = DirectViews.view(plane.direct().plane());
        if (direct != null) {
            // The kernel forwards these; "bind" is the VIP and ports the node's route brings to it.
            for (DirectView.Listener d : direct.listeners()) {
                listeners.add(new StatusView.Listener(d.name(), d.vip() + ":" + String.join(",",
                        d.ports().stream().map(String::valueOf).toList()) + "/" + d.protocol(), "direct", List.of(d.pool())));
            }
        }
        String version = SluiceDaemon.class.getPackage().getImplementationVersion();
        return new StatusView(version == null ? "development build" : version,
                Duration.between(startedAt, Instant.now()).toSeconds(),
                transport.name().toLowerCase(Locale.ROOT), plane.config().source(),
                tracker.size(), listeners, ProcessHandle.current().pid(), handover.view(), storeAnswers.view(), direct);
    }

    private static List<String> poolsOf(ListenerConfig lc) {
        if (lc.pool() != null) {
            return List.of(lc.pool());
        }
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (RouteConfig r : lc.tls().routes()) {
            names.add(r.pool());
        }
        if (lc.tls().defaultPool() != null) {
            names.add(lc.tls().defaultPool());
        }
        if (lc.tls().notTlsPool() != null) {
            names.add(lc.tls().notTlsPool());
        }
        return List.copyOf(names);
    }

    @Override
    public HistoryView history() {
        return history.view();
    }

    @Override
    public List<PoolView> pools() {
        return upstreams.pools().values().stream().map(this::view).toList();
    }

    @Override
    public PoolView pool(String name) {
        return view(plane.backends().pool(name));
    }

    private PoolView view(Pool pool) {
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
                upstreams.discoveryStaleness(pool.name()), backends, DirectViews.ofPool(plane.direct().plane(), pool.name()));
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

    private static DrainView drain(String state, DrainMark m) {
        return m == null || state == null ? null
                : new DrainView(state, m.by(), text(m.since()), m.reason(), text(m.deadline()));
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    private BackendView backendView(String pool, String backend) {
        PoolView p = pool(pool);
        return p.backends().stream().filter(b -> b.name().equals(backend)).findFirst()
                .orElseThrow(() -> new NotFoundException("no backend '" + backend + "' in pool '" + pool + "'"));
    }

    @Override
    public BackendView drain(String pool, String backend, Duration deadline, Double closeRatePerSecond, String reason) {
        if (closeRatePerSecond != null && !(closeRatePerSecond > 0 && closeRatePerSecond <= 100_000)) {
            throw new IllegalArgumentException("close_rate " + closeRatePerSecond + " (expected 1..100000 per second)");
        }
        Duration effective = deadline != null ? deadline : plane.backends().pool(pool).config().drain().deadline();
        CompletableFuture<StoreWrite> stored = plane.onControl(() -> plane.backends().drain(pool, backend, effective, closeRatePerSecond, reason, API));
        return backendView(pool, backend).withStoreWrite(storeAnswers.outcome(stored));
    }

    @Override
    public BackendView ready(String pool, String backend) {
        CompletableFuture<StoreWrite> stored = plane.onControl(() -> plane.backends().ready(pool, backend, API));
        return backendView(pool, backend).withStoreWrite(storeAnswers.outcome(stored));
    }

    @Override
    public BackendView maint(String pool, String backend, boolean kill) {
        CompletableFuture<StoreWrite> stored = plane.onControl(() -> plane.backends().maint(pool, backend, kill, API + (kill ? " (kill)" : "")));
        return backendView(pool, backend).withStoreWrite(storeAnswers.outcome(stored));
    }

    @Override
    public BackendView weight(String pool, String backend, int weight) {
        CompletableFuture<StoreWrite> stored = plane.onControl(() -> plane.backends().weight(pool, backend, weight, API));
        return backendView(pool, backend).withStoreWrite(storeAnswers.outcome(stored));
    }

    @Override
    public List<ConnectionView> connections(String pool, String backend, int limit) {
        if (pool != null) {
            plane.backends().pool(pool);
        }
        List<Connection> all = new ArrayList<>(tracker.all());
        all.sort(Comparator.comparing(Connection::age));
        List<ConnectionView> out = new ArrayList<>();
        for (Connection c : all) {
            if (out.size() >= limit) {
                break; // checked first: limit 0 asks for the total only
            }
            Pool p = c.pool();
            Backend b = c.backend();
            if (pool != null && (p == null || !p.name().equals(pool))) {
                continue;
            }
            if (backend != null && (b == null || !b.name().equals(backend))) {
                continue;
            }
            out.add(new ConnectionView(c.listener(), BoundListeners.hostPort(c.client()), c.serverName(),
                    p == null ? null : p.name(), b == null ? null : b.name(), c.bytesUp(), c.bytesDown(),
                    c.age().toSeconds()));
        }
        return out;
    }

    @Override
    public ExplainView explain(String listenerName, String sni, List<String> alpn, InetAddress client) {
        ListenerConfig lc = listenerConfig(listenerName);
        String normalizedSni = sni == null || sni.isBlank() ? null : normalize(sni);
        List<String> offered = alpn == null ? List.of() : alpn;
        String routeKind;
        String routePattern = null;
        String poolName;
        if (lc.tls() == null) {
            routeKind = "listener";
            poolName = lc.pool();
        } else {
            // The same decisions, in the same order, as the listener's ClientHelloSniffer.
            if (normalizedSni == null && lc.tls().noSni() == NoSniAction.REJECT) {
                return ExplainView.refused(lc.name(), client.getHostAddress(), null, offered,
                        "no SNI and no-sni: reject (the connection is closed with an unrecognized_name alert)");
            }
            RouteMatch match = RouteTable.of(lc.tls()).route(normalizedSni, offered);
            if (match == null) {
                return ExplainView.refused(lc.name(), client.getHostAddress(), normalizedSni, offered,
                        (normalizedSni == null ? "no SNI" : "no route for SNI " + normalizedSni
                                + (offered.isEmpty() ? "" : " with ALPN " + String.join(",", offered)))
                                + " and no default pool (the connection is closed with an unrecognized_name alert)");
            }
            routeKind = match.kind().word();
            routePattern = match.pattern();
            poolName = match.pool();
        }
        Pool pool = plane.backends().pool(poolName);
        StickyKey key = pool.keyOf(client);
        boolean sticky = pool.stickTable() != null;
        Pool.Selection sel = pool.peek(key);
        MaglevTable table = pool.maglevTable();
        StickTable.Entry entry = sticky ? pool.stickTable().get(key) : null;
        String chosen = sel == null || sel.backend() == null ? null : sel.backend().name();
        List<ExplainView.Skipped> skipped = new ArrayList<>();
        Map<String, Integer> eligible = new LinkedHashMap<>();
        pool.eligibleBackends().forEach(b -> eligible.put(b.name(), b.weight()));
        for (Backend b : pool.backends()) {
            if (b.name().equals(chosen)) {
                continue;
            }
            boolean pickedAtConnect = sel != null && sel.backend() == null;
            Backend.State st = b.state();
            skipped.add(new ExplainView.Skipped(b.name(), candidateOrSkip(b, eligible, pickedAtConnect),
                    drain(st.admin().word(), st.operatorMark()), drain(st.registryDrain(), st.registryMark())));
        }
        return new ExplainView(lc.name(), client.getHostAddress(), normalizedSni, offered, routeKind, routePattern,
                pool.name(), sticky ? key.toString() : null, String.format("%016x", key.hash()),
                table == null ? null : pool.generation(), table == null ? null : String.format("%016x", table.fingerprint()),
                StickViews.explain(pool, entry, chosen, sel == null ? null : sel.decision()),
                chosen, sel == null ? null : sel.decision().word(), skipped);
    }

    private static String skipReason(Backend b, Map<String, Integer> eligible) {
        Backend.State st = b.state();
        if (!st.up()) {
            return "down";
        }
        if (st.admin() == AdminState.DRAIN || st.registryDrain() != null) {
            return "draining";
        }
        if (st.admin() == AdminState.MAINT) {
            return "maintenance";
        }
        if ((st.weightOverride() != null ? st.weightOverride() : b.configuredWeight()) == 0) {
            return "weight-0";
        }
        return eligible.containsKey(b.name()) ? "not-chosen" : "slow-start";
    }

    /** With a balancer that picks at connect time, every eligible backend is a candidate. */
    private static String candidateOrSkip(Backend b, Map<String, Integer> eligible, boolean pickedAtConnect) {
        String reason = skipReason(b, eligible);
        return pickedAtConnect && reason.equals("not-chosen") ? "candidate" : reason;
    }

    private ListenerConfig listenerConfig(String name) {
        List<ListenerConfig> all = plane.config().listeners();
        if (name == null || name.isBlank()) {
            if (all.size() == 1) {
                return all.get(0);
            }
            throw new IllegalArgumentException("listener is required when there are several ("
                    + String.join(", ", all.stream().map(ListenerConfig::name).toList()) + ")");
        }
        return all.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new NotFoundException("no listener '" + name + "' (listeners: "
                        + String.join(", ", all.stream().map(ListenerConfig::name).toList()) + ")"));
    }

    private static String normalize(String sni) {
        String s = sni.toLowerCase(Locale.ROOT);
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public DirectView direct() {
        DirectView view = DirectViews.view(plane.direct().plane());
        if (view == null) {
            throw new NotFoundException("no direct listeners: the config has no direct section");
        }
        return view;
    }

    @Override
    public DirectExplainView explainDirect(String listener, String protocol, Integer port, InetAddress client,
                                           Integer clientPort) {
        return DirectViews.explain(plane.direct().plane(), listener, protocol, port, client, clientPort);
    }

    @Override
    public StickTableView stickTable(String pool, int limit) {
        return StickViews.show(plane.backends().pool(pool), limit);
    }

    @Override
    public StickTableView clearStickTable(String pool) {
        return StickViews.clear(plane.backends().pool(pool));
    }

    @Override
    public ReloadResult reload() {
        try {
            ControlPlane.ReloadOutcome outcome = plane.reloadFromFile(handover.state());
            if (outcome.problems().isEmpty()) {
                return new ReloadResult(true, outcome.config().summary(), List.of());
            }
            return new ReloadResult(false, "applied except what is listed (" + outcome.config().summary()
                    + "); fix and reload again", outcome.problems());
        } catch (ConfigException e) {
            return new ReloadResult(false, null, e.errors().stream().map(ConfigError::toString).toList());
        }
    }

    @Override
    public Readiness readiness() {
        boolean ready = lifecycle.ready();
        boolean listenersBound = !listeners.all().isEmpty() || plane.config().listeners().isEmpty();
        boolean poolsReady = upstreams.pools().size() == plane.config().pools().size() && upstreams.discoverySynced();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("listeners_bound", listenersBound);
        details.put("pools_ready", poolsReady);
        details.put("started", ready);
        Map<String, Object> discovery = upstreams.discoveryDetails();
        if (!discovery.isEmpty()) {
            details.put("discovery", discovery);
        }
        return new Readiness(ready && listenersBound && poolsReady, details);
    }

    @Override
    public String prometheusText() {
        return metrics.scrape();
    }
}
