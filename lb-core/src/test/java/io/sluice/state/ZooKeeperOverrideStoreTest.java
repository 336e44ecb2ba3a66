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
        assertTrue(seenByA.isEmpty(), "a node is not told of its own write: " + seenByA);
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
        a.put("chat", "app-1", drain(1)).get(20, TimeUnit.SECONDS);
        a.put("chat", "app-2", new AdminOverride(AdminState.MAINT, null, null, null)).get(20, TimeUnit.SECONDS);
        a.put("web", "w-3", new AdminOverride(AdminState.READY, 0, null, 5.5)).get(20, TimeUnit.SECONDS);

        ZooKeeperOverrideStore later = open();
        assertEquals(a.all(), later.all()); // no waiting: open() loaded them synchronously
        assertEquals(3, later.all().size());
        assertEquals(drain(1), later.get("chat", "app-1"));
        assertEquals(AdminOverride.NONE, later.get("chat", "app-9"));
    }

    @Test
    void concurrentWritersNeverFailAndAllAgreeOnAWrittenValue() throws Exception {
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
                        StoreWrite w = store.put("chat", "hot", o).get(60, TimeUnit.SECONDS);
                        if (w == StoreWrite.STORED || w == StoreWrite.LOST) {
                            done++;
                        }
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
        // A fresh reader agrees with both.
        ZooKeeperOverrideStore c = open();
        assertEquals(a.get("chat", "hot"), c.get("chat", "hot"));
        // A versioned write on a version that moved on loses.
        Stored base = c.read("chat/hot");
        assertEquals(drain(1), c.writeIf("chat/hot", drain(1), base).value());
        assertEquals(null, a.writeIf("chat/hot", drain(2), base));
        assertEquals(drain(1), a.read("chat/hot").value());
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
    void aChangeWhileZooKeeperIsDownAppliesAtOnceIsQueuedAndIsWrittenWhenItReturns() throws Exception {
        ZooKeeperOverrideStore a = open();
        ZooKeeperOverrideStore b = open();
        server.stop();
        await().atMost(WAIT).until(() -> !a.status().reachable());

        var write = a.put("chat", "app-1", drain(7));
        assertEquals(drain(7), a.get("chat", "app-1"), "in force on this node at once");
        assertEquals(false, write.isDone());
        StoreStatus queued = a.status();
        assertEquals(List.of("app-1"), queued.queued().stream().map(StoreStatus.Queued::backend).toList());
        assertEquals(drain(7), queued.queued().get(0).change());
        assertEquals(AdminOverride.NONE, b.get("chat", "app-1"), "the other node does not have it yet");

        server.restart();
        assertEquals(StoreWrite.STORED, write.get(60, TimeUnit.SECONDS));
        await().atMost(WAIT).until(() -> drain(7).equals(b.get("chat", "app-1")));
        assertTrue(a.status().queued().isEmpty());
        assertTrue(a.status().reachable());
        assertEquals(0, a.status().lostTotal());
    }

    @Test
    void twoNodesChangingOneKeyDuringAnOutageAgreeAfterwardsAndTheLoserIsTold() throws Exception {
        ZooKeeperOverrideStore a = open();
        ZooKeeperOverrideStore b = open();
        a.put("chat", "app-1", drain(1)).get(20, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> drain(1).equals(b.get("chat", "app-1")));
        server.stop();
        await().atMost(WAIT).until(() -> !a.status().reachable() && !b.status().reachable());

        AdminOverride fromA = new AdminOverride(AdminState.MAINT, null, null, null);
        var writeA = a.put("chat", "app-1", fromA);
        var writeB = b.put("chat", "app-1", AdminOverride.NONE);
        assertEquals(fromA, a.get("chat", "app-1"));
        assertEquals(AdminOverride.NONE, b.get("chat", "app-1"));

        server.restart();
        StoreWrite outcomeA = writeA.get(60, TimeUnit.SECONDS);
        StoreWrite outcomeB = writeB.get(60, TimeUnit.SECONDS);
        assertEquals(Set.of(StoreWrite.STORED, StoreWrite.LOST), Set.of(outcomeA, outcomeB),
                "one change was written first; the other was made on a version that moved on");
        AdminOverride winner = outcomeA == StoreWrite.STORED ? fromA : AdminOverride.NONE;
        ZooKeeperOverrideStore loser = outcomeA == StoreWrite.LOST ? a : b;
        await().atMost(WAIT).until(() -> winner.equals(a.get("chat", "app-1")) && winner.equals(b.get("chat", "app-1")));
        assertEquals(1, loser.status().lostTotal());
        StoreStatus.Lost lost = loser.status().lost().get(0);
        assertEquals("app-1", lost.backend());
        assertEquals(winner, lost.theirs());
        assertTrue(loser.status().queued().isEmpty());
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
