package io.sluice.admin;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.ConnectionView;
import io.sluice.adminapi.ExplainView;
import io.sluice.adminapi.PoolView;
import io.sluice.adminapi.Readiness;
import io.sluice.adminapi.ReloadResult;
import io.sluice.adminapi.StatusView;
import io.sluice.adminapi.StickTableView;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * An in-memory {@link AdminOperations}: one pool "chat" with backends app-1 and app-2. Every
 * call is recorded as one line (e.g. {@code "drain chat/app-1 PT10M 100.0"}) so tests can assert
 * what reached the daemon, and that a refused request reached nothing.
 */
final class FakeOperations implements AdminOperations {

    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<String, BackendView> backends = new LinkedHashMap<>();
    final List<ConnectionView> liveConnections = new ArrayList<>();
    volatile boolean ready = true;
    volatile ReloadResult reloadResult = new ReloadResult(true, "reloaded: 1 pool, 2 backends", List.of());
    volatile Thread lastCallThread;
    /** When set, every call runs it first (to throw from inside the daemon). */
    volatile Supplier<RuntimeException> failure;

    FakeOperations() {
        backends.put("app-1", backend("app-1", "127.0.0.1:9001", "ready", 100, 2));
        backends.put("app-2", backend("app-2", "127.0.0.1:9002", "ready", 100, 1));
        liveConnections.add(new ConnectionView("chat-tls", "10.0.0.7:50123", "chat.example.com", "chat", "app-1", 10, 20, 3));
        liveConnections.add(new ConnectionView("chat-tls", "10.0.0.8:50124", "chat.example.com", "chat", "app-1", 1, 2, 5));
        liveConnections.add(new ConnectionView("chat-tls", "10.0.0.9:50125", null, "chat", "app-2", 0, 0, 9));
    }

    static BackendView backend(String name, String address, String admin, int weight, int active) {
        boolean eligible = admin.equals("ready") && weight > 0;
        return new BackendView(name, address, "up", admin, weight, 100, eligible ? weight : 0, eligible, active, 3401,
                1048576, 73400320, "2026-11-26T04:40:00Z", "ok", null, "2026-11-26T04:40:00Z", "config", null, null);
    }

    private void record(String call) {
        lastCallThread = Thread.currentThread();
        Supplier<RuntimeException> f = failure;
        if (f != null) {
            throw f.get();
        }
        calls.add(call);
    }

    private BackendView find(String pool, String backend) {
        if (!pool.equals("chat")) {
            throw new NotFoundException("no pool '" + pool + "' (pools: chat)");
        }
        BackendView b = backends.get(backend);
        if (b == null) {
            throw new NotFoundException("no backend '" + backend + "' in pool 'chat' (backends: app-1, app-2)");
        }
        return b;
    }

    private BackendView set(String pool, String backend, String admin, int weight) {
        BackendView b = find(pool, backend);
        BackendView changed = backend(b.name(), b.address(), admin, weight, b.activeConnections());
        backends.put(b.name(), changed);
        return changed;
    }

    @Override
    public StatusView status() {
        record("status");
        return new StatusView("0.1.0-test", 3725, "epoll", "/etc/sluice/sluice.yaml", 3,
                List.of(new StatusView.Listener("chat-tls", "0.0.0.0:443", "tls", List.of("chat"))));
    }

    @Override
    public List<PoolView> pools() {
        record("pools");
        return List.of(poolView());
    }

    private PoolView poolView() {
        return new PoolView("chat", "maglev", "source-ip", 7, "9f3a2c", 12, "tcp", 3, null, List.copyOf(backends.values()));
    }

    @Override
    public PoolView pool(String name) {
        record("pool " + name);
        if (!name.equals("chat")) {
            throw new NotFoundException("no pool '" + name + "' (pools: chat)");
        }
        return poolView();
    }

    @Override
    public BackendView drain(String pool, String backend, Duration deadline, Double closeRatePerSecond) {
        record("drain " + pool + "/" + backend + " " + deadline + " " + closeRatePerSecond);
        return set(pool, backend, "drain", find(pool, backend).weight());
    }

    @Override
    public BackendView ready(String pool, String backend) {
        record("ready " + pool + "/" + backend);
        return set(pool, backend, "ready", find(pool, backend).weight());
    }

    @Override
    public BackendView maint(String pool, String backend, boolean kill) {
        record("maint " + pool + "/" + backend + " " + kill);
        return set(pool, backend, "maint", find(pool, backend).weight());
    }

    @Override
    public BackendView weight(String pool, String backend, int weight) {
        record("weight " + pool + "/" + backend + " " + weight);
        if (backend.equals("app-2") && weight == 7) {
            throw new IllegalArgumentException("weight 7 is unlucky for app-2");
        }
        return set(pool, backend, find(pool, backend).admin(), weight);
    }

    @Override
    public List<ConnectionView> connections(String pool, String backend, int limit) {
        record("connections " + pool + " " + backend + " " + limit);
        return liveConnections.stream()
                .filter(c -> pool == null || pool.equals(c.pool()))
                .filter(c -> backend == null || backend.equals(c.backend()))
                .limit(limit)
                .toList();
    }

    @Override
    public ExplainView explain(String listener, String sni, List<String> alpn, InetAddress client) {
        record("explain " + listener + " " + sni + " " + alpn + " " + client.getHostAddress());
        if (listener != null && !listener.equals("chat-tls")) {
            throw new NotFoundException("no listener '" + listener + "' (listeners: chat-tls)");
        }
        return new ExplainView("chat-tls", client.getHostAddress(), sni, alpn, "exact", "chat.example.com", "chat",
                client.getHostAddress(), "00ff00ff00ff00ff", 7L, "9f3a2c", new ExplainView.StickEntry("app-1", 2, 0, false,
                "records where this client's connections went; the Maglev table decides"),
                "app-1", "maglev", List.of(new ExplainView.Skipped("app-2", "not-chosen")));
    }

    @Override
    public StickTableView stickTable(String pool, int limit) {
        record("stick-table " + pool + " " + limit);
        pool(pool);
        List<StickTableView.Entry> entries = List.of(new StickTableView.Entry("10.0.0.7", "app-1", 2, 0),
                new StickTableView.Entry("10.0.0.9", "app-2", 0, 41));
        return new StickTableView(pool, "maglev", false, 2, 100000, entries.subList(0, Math.min(limit, 2)), null);
    }

    @Override
    public StickTableView clearStickTable(String pool) {
        record("stick-table clear " + pool);
        pool(pool);
        return new StickTableView(pool, "maglev", false, 0, 100000, List.of(), 2);
    }

    @Override
    public ReloadResult reload() {
        record("reload");
        return reloadResult;
    }

    @Override
    public Readiness readiness() {
        record("readiness");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("listeners_bound", true);
        details.put("pools_ready", ready);
        return new Readiness(ready, details);
    }

    @Override
    public String prometheusText() {
        record("metrics");
        return "# TYPE sluice_connections_active gauge\nsluice_connections_active 3\n";
    }
}
