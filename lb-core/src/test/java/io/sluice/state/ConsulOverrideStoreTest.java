package io.sluice.state;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.backend.AdminState;
import io.sluice.fixture.ConsulApiFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConsulOverrideStore} against {@link ConsulApiFixture}, the shared fixture of Consul's documented
 * HTTP API (NOT Consul): single-key KV with CAS, {@code ?recurse}, {@code DELETE ?cas=} and blocking
 * queries, stopped and restarted on the same port for the outage scenario.
 */
class ConsulOverrideStoreTest {

    private static final String PREFIX = "sluice/overrides";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Short blocking-query wait so the watch loop also exercises its idle wake-ups. */
    private static final Duration WATCH_WAIT = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(15);

    static {
        // The JDK HttpServer behind the fixture otherwise leaves Nagle on: ~40 ms per small exchange
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

    private ConsulApiFixture kv() throws IOException {
        ConsulApiFixture f = new ConsulApiFixture();
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
        ConsulApiFixture f = kv();
        ConsulOverrideStore a = open(f.address());
        ConsulOverrideStore b = open(f.address());
        List<Change> seenByB = new CopyOnWriteArrayList<>();
        b.watch((p, be, o) -> seenByB.add(new Change(p, be, o)));

        a.put("chat", "app-1", drain(50));
        assertEquals(drain(50), a.get("chat", "app-1"));
        await().atMost(WAIT).until(() -> drain(50).equals(b.get("chat", "app-1")));
        await().atMost(WAIT).until(() -> seenByB.contains(new Change("chat", "app-1", drain(50))));
        assertEquals(Map.of("chat/app-1", drain(50)), b.all());

        // Same JSON as the other stores, one key per backend: <prefix>/<pool>:<backend>.
        JsonCheck.assertJson(f.kvValue(PREFIX + "/chat:app-1"), "drain", 50);

        a.put("chat", "app-1", AdminOverride.NONE);
        assertEquals(AdminOverride.NONE, a.get("chat", "app-1"));
        await().atMost(WAIT).until(() -> AdminOverride.NONE.equals(b.get("chat", "app-1")));
        await().atMost(WAIT).until(() -> seenByB.contains(new Change("chat", "app-1", AdminOverride.NONE)));
        assertEquals(Map.of(), b.all());
        assertEquals(null, f.kvValue(PREFIX + "/chat:app-1"));

        a.put("chat", "app-1", AdminOverride.NONE); // already gone is fine
    }

    @Test
    void aStoreOpenedLaterHasEveryEntryWhenOpenReturns() throws Exception {
        ConsulApiFixture f = kv();
        ConsulOverrideStore a = open(f.address());
        a.put("chat", "app-1", drain(10)).get(20, TimeUnit.SECONDS);
        a.put("web", "w.2", new AdminOverride(AdminState.MAINT, null, null, null)).get(20, TimeUnit.SECONDS);
        f.kvPut(PREFIX + "/junk", "not json"); // not pool:backend: ignored
        f.kvPut("sluice/overrides-other/x:y", "{\"admin\":\"maint\"}"); // outside the folder

        ConsulOverrideStore late = open(f.address());
        assertEquals(Map.of("chat/app-1", drain(10), "web/w.2", new AdminOverride(AdminState.MAINT, null, null, null)),
                late.all());
    }

    @Test
    void concurrentWritersOnTwoStoresNeverLoseAnUpdate() throws Exception {
        ConsulApiFixture f = kv();
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
        ConsulApiFixture f = kv();
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
        ConsulApiFixture f = kv();
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
}
