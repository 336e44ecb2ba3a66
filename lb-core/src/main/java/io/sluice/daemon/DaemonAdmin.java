package io.sluice.daemon;

import io.sluice.admin.AdminOperations;
import io.sluice.adminapi.BackendView;
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
import io.sluice.backend.Backend;
import io.sluice.config.ListenerConfig;
import io.sluice.config.RouteConfig;
import io.sluice.handover.HandoverStatus;
import io.sluice.history.TrafficHistory;
import io.sluice.listener.Listener;
import io.sluice.metrics.DaemonMetrics;
import io.sluice.pool.Pool;
import io.sluice.proxy.Connection;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.state.StoreWrite;
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
                transport.operatorName(), plane.config().source(),
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
        return PoolViews.view(pool, upstreams.discoveryStaleness(pool.name()), plane.direct().plane());
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
    public ExplainView explain(String listener, String sni, List<String> alpn, InetAddress client) {
        return ExplainViews.explain(plane.config().listeners(), plane.backends()::pool, listener, sni, alpn, client);
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
