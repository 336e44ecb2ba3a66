package io.sluice.state;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.backend.AdminState;
import java.io.IOException;
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
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.curator.utils.CloseableUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZooKeeperOverrideStoreTest {

    private static final String BASE = "/sluice";
    private static final Duration OPEN = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private TestingServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        server = new TestingServer(true); // in-process, loopback, random port
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        CloseableUtils.closeQuietly(server);
    }

    private ZooKeeperOverrideStore open() throws IOException {
        ZooKeeperOverrideStore store = ZooKeeperOverrideStore.open(server.getConnectString(), BASE, OPEN);
        closeables.add(store);
        return store;
    }

    private static AdminOverride drain(int weight) {
        return new AdminOverride(AdminState.DRAIN, weight, Instant.parse("2030-01-02T03:04:05Z"), 100.0);
    }

    private record Change(String pool, String backend, AdminOverride override) { }

    private static List<Change> record(OverrideStore store) {
        List<Change> changes = new CopyOnWriteArrayList<>();
        store.watch((pool, backend, o) -> changes.add(new Change(pool, backend, o)));
        return changes;
    }

    @Test
    void putOnOneStoreReachesTheOther() throws Exception {
        ZooKeeperOverrideStore a = open();
        ZooKeeperOverrideStore b = open();
        List<Change> seenByB = record(b);
        List<Change> seenByA = record(a);

        AdminOverride o = drain(50);
        a.put("chat", "app-1", o);
        assertEquals(o, a.get("chat", "app-1")); // the writer sees its own write at once

        await().atMost(WAIT).until(() -> o.equals(b.get("chat", "app-1")));
        await().atMost(WAIT).until(() -> seenByB.contains(new Change("chat", "app-1", o)));
        await().atMost(WAIT).until(() -> seenByA.contains(new Change("chat", "app-1", o))); // the echo
        assertEquals(Map.of("chat/app-1", o), b.all());

        // The node layout: one child per URL-encoded "pool/backend", data as in the local state file.
        try (CuratorFramework raw = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100))) {
            raw.start();
            assertTrue(raw.blockUntilConnected(10, TimeUnit.SECONDS));
            assertEquals(List.of("chat%2Fapp-1"), raw.getChildren().forPath(BASE + "/overrides"));
            JsonNode data = new ObjectMapper().readTree(raw.getData().forPath(BASE + "/overrides/chat%2Fapp-1"));
            assertEquals("drain", data.get("admin").asText());
            assertEquals(50, data.get("weight").asInt());
            assertEquals("2030-01-02T03:04:05Z", data.get("drain_deadline").asText());
            assertEquals(100.0, data.get("close_rate").asDouble());
        }

        AdminOverride maint = new AdminOverride(AdminState.MAINT, null, null, null);
        b.put("chat", "app-1", maint);
        await().atMost(WAIT).until(() -> maint.equals(a.get("chat", "app-1")));
        await().atMost(WAIT).until(() -> seenByA.contains(new Change("chat", "app-1", maint)));
    }

    @Test
    void removingAnOverrideReportsNoneEverywhere() throws Exception {
        ZooKeeperOverrideStore a = open();
        ZooKeeperOverrideStore b = open();
        List<Change> seenByB = record(b);
        a.put("chat", "app-1", drain(10));
        a.put("web", "w.2", new AdminOverride(AdminState.READY, 7, null, null));
        await().atMost(WAIT).until(() -> b.all().size() == 2);

        a.put("chat", "app-1", AdminOverride.NONE);
        assertEquals(AdminOverride.NONE, a.get("chat", "app-1"));
        await().atMost(WAIT).until(() -> AdminOverride.NONE.equals(b.get("chat", "app-1")));
        await().atMost(WAIT).until(() -> seenByB.contains(new Change("chat", "app-1", AdminOverride.NONE)));
        assertEquals(Set.of("web/w.2"), b.all().keySet());

        // Removing what is not there (any more) is fine.
        b.put("chat", "app-1", AdminOverride.NONE);
        b.put("nope", "never", AdminOverride.NONE);
        assertEquals(Set.of("web/w.2"), a.all().keySet());
    }

    @Test
    void aStoreOpenedLaterHasEverythingWhenOpenReturns() throws Exception {
        ZooKeeperOverrideStore a = open();
        a.put("chat", "app-1", drain(1));
        a.put("chat", "app-2", new AdminOverride(AdminState.MAINT, null, null, null));
        a.put("web", "w-3", new AdminOverride(AdminState.READY, 0, null, 5.5));

        ZooKeeperOverrideStore later = open();
        assertEquals(a.all(), later.all()); // no waiting: open() loaded them synchronously
        assertEquals(3, later.all().size());
        assertEquals(drain(1), later.get("chat", "app-1"));
        assertEquals(AdminOverride.NONE, later.get("chat", "app-9"));
    }

    @Test
    void concurrentWritersNeverFailAndTheLastWriteWins() throws Exception {
        ZooKeeperOverrideStore a = open();
        ZooKeeperOverrideStore b = open();
        Set<AdminOverride> written = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                ZooKeeperOverrideStore store = t % 2 == 0 ? a : b;
                int thread = t;
                results.add(pool.submit(() -> {
                    go.await();
                    int done = 0;
                    for (int i = 0; i < 50; i++) {
                        AdminOverride o = new AdminOverride(AdminState.DRAIN, thread * 1000 + i, null, null);
                        written.add(o);
                        store.put("chat", "hot", o);
                        done++;
                        // Read-modify-write of a counter: no increment may be lost.
                        store.update("chat", "counter", old ->
                                new AdminOverride(AdminState.READY, old.weight() == null ? 1 : old.weight() + 1, null, null));
                    }
                    return done;
                }));
            }
            go.countDown();
            for (Future<Integer> r : results) {
                assertEquals(50, r.get(2, TimeUnit.MINUTES)); // every put returned normally
            }
        } finally {
            pool.shutdownNow();
        }
        await().atMost(WAIT).until(() -> a.get("chat", "hot").equals(b.get("chat", "hot"))
                && written.contains(a.get("chat", "hot")));
        await().atMost(WAIT).until(() -> Integer.valueOf(200).equals(a.get("chat", "counter").weight())
                && Integer.valueOf(200).equals(b.get("chat", "counter").weight()));
        // A fresh reader agrees with both.
        ZooKeeperOverrideStore c = open();
        assertEquals(a.get("chat", "hot"), c.get("chat", "hot"));
        assertEquals(200, c.get("chat", "counter").weight());
    }

    @Test
    void storesKeepTheirViewThroughAnOutageAndRecover() throws Exception {
        ZooKeeperOverrideStore a = open();
        ZooKeeperOverrideStore b = open();
        List<Change> seenByB = record(b);
        a.put("chat", "app-1", drain(20));
        await().atMost(WAIT).until(() -> drain(20).equals(b.get("chat", "app-1")));

        server.stop();
        assertEquals(drain(20), a.get("chat", "app-1")); // the last view is kept while ZooKeeper is away
        assertEquals(drain(20), b.get("chat", "app-1"));
        server.restart(); // same port and data; sessions (30 s) outlive the outage

        a.put("chat", "app-2", drain(30));
        await().atMost(WAIT).until(() -> drain(30).equals(b.get("chat", "app-2")));
        await().atMost(WAIT).until(() -> seenByB.contains(new Change("chat", "app-2", drain(30))));
        b.put("chat", "app-1", AdminOverride.NONE);
        await().atMost(WAIT).until(() -> AdminOverride.NONE.equals(a.get("chat", "app-1")));
        assertEquals(Set.of("chat/app-2"), b.all().keySet());
    }

    @Test
    void closeIsSafeTwiceAndRefusesLaterWrites() throws Exception {
        ZooKeeperOverrideStore a = ZooKeeperOverrideStore.open(server.getConnectString(), BASE, OPEN);
        a.put("chat", "app-1", drain(5));
        a.close();
        a.close();
        assertThrows(IllegalStateException.class, () -> a.put("chat", "app-1", drain(6)));
        assertEquals(drain(5), a.get("chat", "app-1")); // the last view stays readable
    }

    @Test
    void openFailsWithinTheTimeoutWhenZooKeeperIsAway() throws Exception {
        String connect = server.getConnectString();
        server.stop();
        long start = System.nanoTime();
        assertThrows(IOException.class, () -> ZooKeeperOverrideStore.open(connect, BASE, Duration.ofMillis(1500)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "open took too long");
    }
}
