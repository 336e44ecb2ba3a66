package io.sluice.state;

import java.util.concurrent.TimeUnit;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.backend.AdminState;
import io.sluice.discovery.consul.ConsulApiFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConsulOverrideStore} against test fixtures that speak Consul's documented KV HTTP API; neither
 * is Consul.
 *
 * <p>{@link ConsulApiFixture} (the shared Consul API test fixture) serves single-key KV GET/PUT with
 * CAS and blocking index, but neither {@code ?recurse} nor DELETE, so it covers the write path
 * (key layout, CAS, contended read-modify-write) here. The watch, load-on-open, delete and outage
 * scenarios run over {@link KvFixture}, a minimal KV-only fixture in this file that adds
 * {@code ?recurse} and {@code DELETE ?cas=} with the same documented semantics. Moving those to
 * ConsulApiFixture once it grows recurse and DELETE means changing {@link #kv()} only.
 */
class ConsulOverrideStoreTest {

    private static final String PREFIX = "sluice/overrides";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Short blocking-query wait so the watch loop also exercises its idle wake-ups. */
    private static final Duration WATCH_WAIT = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(15);

    static {
        // The JDK HttpServer behind both fixtures otherwise leaves Nagle on: ~40 ms per small exchange
        // (Consul itself, in Go, sets TCP_NODELAY). Read once, when the first HttpServer starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private KvFixture kv() throws IOException {
        KvFixture f = new KvFixture();
        closeables.add(f);
        return f;
    }

    private ConsulOverrideStore open(URI consul) throws IOException {
        ConsulOverrideStore store = ConsulOverrideStore.open(consul, null, null, PREFIX, TIMEOUT, WATCH_WAIT);
        closeables.add(store);
        return store;
    }

    private static AdminOverride drain(int weight) {
        return new AdminOverride(AdminState.DRAIN, weight, Instant.parse("2030-01-02T03:04:05Z"), 100.0);
    }

    private record Change(String pool, String backend, AdminOverride override) {
    }

    @Test
    void putOnOneStoreReachesTheOtherAndDeleteClearsBoth() throws Exception {
        KvFixture f = kv();
        ConsulOverrideStore a = open(f.address());
        ConsulOverrideStore b = open(f.address());
        List<Change> seenByB = new java.util.concurrent.CopyOnWriteArrayList<>();
        b.watch((p, be, o) -> seenByB.add(new Change(p, be, o)));

        a.put("chat", "app-1", drain(50));
        assertEquals(drain(50), a.get("chat", "app-1"));
        await().atMost(WAIT).until(() -> drain(50).equals(b.get("chat", "app-1")));
        await().atMost(WAIT).until(() -> seenByB.contains(new Change("chat", "app-1", drain(50))));
        assertEquals(Map.of("chat/app-1", drain(50)), b.all());

        // Same JSON as the other stores, one key per backend: <prefix>/<pool>:<backend>.
        JsonCheck.assertJson(f.value(PREFIX + "/chat:app-1"), "drain", 50);

        a.put("chat", "app-1", AdminOverride.NONE);
        assertEquals(AdminOverride.NONE, a.get("chat", "app-1"));
        await().atMost(WAIT).until(() -> AdminOverride.NONE.equals(b.get("chat", "app-1")));
        await().atMost(WAIT).until(() -> seenByB.contains(new Change("chat", "app-1", AdminOverride.NONE)));
        assertEquals(Map.of(), b.all());
        assertEquals(null, f.value(PREFIX + "/chat:app-1"));

        a.put("chat", "app-1", AdminOverride.NONE); // already gone is fine
    }

    @Test
    void aStoreOpenedLaterHasEveryEntryWhenOpenReturns() throws Exception {
        KvFixture f = kv();
        ConsulOverrideStore a = open(f.address());
        a.put("chat", "app-1", drain(10)).get(20, TimeUnit.SECONDS);
        a.put("web", "w.2", new AdminOverride(AdminState.MAINT, null, null, null)).get(20, TimeUnit.SECONDS);
        f.putRaw(PREFIX + "/junk", "not json"); // not pool:backend: ignored
        f.putRaw("sluice/overrides-other/x:y", "{\"admin\":\"maint\"}"); // outside the folder

        ConsulOverrideStore late = open(f.address());
        assertEquals(Map.of("chat/app-1", drain(10), "web/w.2", new AdminOverride(AdminState.MAINT, null, null, null)),
                late.all());
    }

    @Test
    void concurrentWritersOnTwoStoresNeverLoseAnUpdate() throws Exception {
        KvFixture f = kv();
        contend(open(f.address()), open(f.address()));
    }

    @Test
    void writePathOverTheSharedConsulApiFixture() throws Exception {
        ConsulApiFixture f = new ConsulApiFixture();
        closeables.add(f);
        ConsulOverrideStore a = open(f.address());
        ConsulOverrideStore b = open(f.address());
        a.put("chat", "app-1", drain(50)).get(20, TimeUnit.SECONDS);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                f.address().resolve("/v1/kv/" + PREFIX + "/chat:app-1?raw")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        JsonCheck.assertJson(r.body().getBytes(StandardCharsets.UTF_8), "drain", 50);
        contend(a, b);
    }

    /**
     * 4 threads x 50 puts on one key across two stores: every put ends stored or lost (never an
     * error), both stores end on one written value, and a check-and-set on a stale version loses.
     */
    private static void contend(ConsulOverrideStore a, ConsulOverrideStore b) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Set<AdminOverride> written = ConcurrentHashMap.newKeySet();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                ConsulOverrideStore s = t % 2 == 0 ? a : b;
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 50; i++) {
                        AdminOverride o = new AdminOverride(AdminState.READY, thread * 1000 + i, null, null);
                        written.add(o);
                        StoreWrite w = s.put("hot", "k", o).get(60, TimeUnit.SECONDS);
                        assertTrue(w == StoreWrite.STORED || w == StoreWrite.LOST, "" + w);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> d : done) {
                d.get(2, TimeUnit.MINUTES);
            }
            Stored last = a.read("hot/k");
            assertTrue(written.contains(last.value()), "final value is one that was written: " + last);
            assertEquals(last, b.read("hot/k"));
            assertEquals(0, a.status().queued().size() + b.status().queued().size());

            AdminOverride mine = new AdminOverride(AdminState.DRAIN, 1, null, null);
            AdminOverride theirs = new AdminOverride(AdminState.MAINT, 2, null, null);
            Stored stored = a.writeIf("hot/k", mine, last);
            assertEquals(mine, stored.value());
            assertNull(b.writeIf("hot/k", theirs, last), "a write on a version that moved on loses");
            assertEquals(mine, a.read("hot/k").value());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void recoversAfterTheRegistryRestarts() throws Exception {
        KvFixture f = kv();
        ConsulOverrideStore a = open(f.address());
        ConsulOverrideStore b = open(f.address());
        a.put("chat", "app-1", drain(1));
        await().atMost(WAIT).until(() -> drain(1).equals(b.get("chat", "app-1")));

        f.stop();
        Thread.sleep(500); // the watches fail and back off; the last view stays
        assertEquals(drain(1), b.get("chat", "app-1"));
        f.restart();

        await().atMost(WAIT).ignoreExceptions().until(() -> {
            a.put("chat", "app-2", drain(2));
            return true;
        });
        a.put("chat", "app-1", AdminOverride.NONE);
        await().atMost(WAIT).until(() -> drain(2).equals(b.get("chat", "app-2"))
                && AdminOverride.NONE.equals(b.get("chat", "app-1")));
    }

    @Test
    void closeTwiceIsFine() throws Exception {
        KvFixture f = kv();
        ConsulOverrideStore a = open(f.address());
        a.close();
        a.close();
    }

    /** Checks a stored value is the documented JSON entry. */
    private static final class JsonCheck {
        static void assertJson(byte[] value, String admin, int weight) throws IOException {
            assertNotNull(value);
            var n = new ObjectMapper().readTree(value);
            assertEquals(admin, n.get("admin").asText());
            assertEquals(weight, n.get("weight").asInt());
        }
    }

    /**
     * A minimal fixture of Consul's documented KV HTTP API (NOT Consul): {@code GET /v1/kv/<key>} with
     * {@code ?recurse} (prefix match, 404 when nothing matches) and blocking {@code ?index=&wait=};
     * {@code PUT ?cas=} and {@code DELETE ?cas=} answering {@code true}/{@code false} (cas=0 creates
     * only). One index, {@code X-Consul-Index} on every GET. {@link #stop} cuts everything, including
     * blocked queries; {@link #restart} serves again on the same port with the same data.
     */
    static final class KvFixture implements AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();
        private record Entry(byte[] value, long createIndex, long modifyIndex) {
        }

        private final Object lock = new Object();
        private final TreeMap<String, Entry> kv = new TreeMap<>(); // guarded by lock
        private long index = 1; // guarded by lock
        private volatile boolean running;
        private volatile int port;
        private HttpServer server;
        private ExecutorService executor;

        KvFixture() throws IOException {
            start(0);
        }

        URI address() {
            return URI.create("http://127.0.0.1:" + port);
        }

        byte[] value(String key) {
            synchronized (lock) {
                Entry e = kv.get(key);
                return e == null ? null : e.value();
            }
        }

        void putRaw(String key, String value) {
            synchronized (lock) {
                Entry cur = kv.get(key);
                index++;
                kv.put(key, new Entry(value.getBytes(StandardCharsets.UTF_8),
                        cur == null ? index : cur.createIndex(), index));
                lock.notifyAll();
            }
        }

        void stop() {
            synchronized (lock) {
                if (!running) {
                    return;
                }
                running = false;
                lock.notifyAll();
            }
            server.stop(0);
            executor.shutdownNow();
        }

        void restart() throws IOException, InterruptedException {
            stop();
            for (int attempt = 0; ; attempt++) {
                try {
                    start(port);
                    return;
                } catch (BindException e) {
                    if (attempt >= 50) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        }

        @Override
        public void close() {
            stop();
        }

        private void start(int requestedPort) throws IOException {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 64);
            executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "kv-fixture");
                t.setDaemon(true);
                return t;
            });
            s.setExecutor(executor);
            s.createContext("/v1/kv/", this::handle);
            server = s;
            running = true;
            s.start();
            port = s.getAddress().getPort();
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String key = URLDecoder.decode(ex.getRequestURI().getRawPath().substring("/v1/kv/".length()),
                        StandardCharsets.UTF_8);
                Map<String, String> q = new java.util.HashMap<>();
                String raw = ex.getRequestURI().getRawQuery();
                if (raw != null) {
                    for (String pair : raw.split("&")) {
                        int eq = pair.indexOf('=');
                        q.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                                eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                }
                switch (ex.getRequestMethod()) {
                    case "GET" -> get(ex, key, q);
                    case "PUT" -> {
                        byte[] body = ex.getRequestBody().readAllBytes();
                        write(ex, key, q, body);
                    }
                    case "DELETE" -> write(ex, key, q, null);
                    default -> send(ex, 405, "");
                }
            } catch (IOException | RuntimeException e) {
                if (running) {
                    throw e;
                }
            }
        }

        private void get(HttpExchange ex, String key, Map<String, String> q) throws IOException {
            boolean recurse = q.containsKey("recurse") && !"false".equals(q.get("recurse"));
            ArrayNode out = JSON.createArrayNode();
            long at;
            synchronized (lock) {
                long requested = q.containsKey("index") ? Long.parseLong(q.get("index")) : 0;
                if (requested > 0 && index <= requested) {
                    long deadline = System.currentTimeMillis() + waitMillis(q.get("wait"));
                    while (running && index <= requested) {
                        long left = deadline - System.currentTimeMillis();
                        if (left <= 0) {
                            break;
                        }
                        try {
                            lock.wait(left);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
                if (!running) {
                    return;
                }
                at = index;
                Map<String, Entry> hits = recurse ? kv.subMap(key, true, key + Character.MAX_VALUE, false)
                        : (kv.containsKey(key) ? Map.of(key, kv.get(key)) : Map.of());
                for (Map.Entry<String, Entry> e : hits.entrySet()) {
                    ObjectNode n = out.addObject();
                    n.put("LockIndex", 0);
                    n.put("Key", e.getKey());
                    n.put("Flags", 0);
                    if (e.getValue().value().length == 0) {
                        n.putNull("Value");
                    } else {
                        n.put("Value", Base64.getEncoder().encodeToString(e.getValue().value()));
                    }
                    n.put("CreateIndex", e.getValue().createIndex());
                    n.put("ModifyIndex", e.getValue().modifyIndex());
                }
            }
            ex.getResponseHeaders().set("X-Consul-Index", Long.toString(at));
            if (out.isEmpty()) {
                send(ex, 404, "");
            } else {
                ex.getResponseHeaders().set("Content-Type", "application/json");
                send(ex, 200, JSON.writeValueAsString(out));
            }
        }

        private void write(HttpExchange ex, String key, Map<String, String> q, byte[] body) throws IOException {
            boolean ok;
            synchronized (lock) {
                Entry cur = kv.get(key);
                if (q.containsKey("cas")) {
                    long expected = Long.parseLong(q.get("cas"));
                    ok = expected == 0 ? cur == null : cur != null && cur.modifyIndex() == expected;
                } else {
                    ok = true;
                }
                if (ok && (body != null || cur != null)) {
                    index++;
                    if (body == null) {
                        kv.remove(key);
                    } else {
                        kv.put(key, new Entry(body, cur == null ? index : cur.createIndex(), index));
                    }
                    lock.notifyAll();
                }
            }
            send(ex, 200, Boolean.toString(ok));
        }

        private static long waitMillis(String wait) {
            if (wait == null || wait.isEmpty()) {
                return 300_000;
            }
            if (wait.endsWith("ms")) {
                return Long.parseLong(wait.substring(0, wait.length() - 2));
            }
            if (wait.endsWith("s")) {
                return 1000 * Long.parseLong(wait.substring(0, wait.length() - 1));
            }
            return 1000 * Long.parseLong(wait);
        }

        private static void send(HttpExchange ex, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }
}
