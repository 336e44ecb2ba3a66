package io.sluice.discovery.zookeeper;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.discovery.DiscoveredBackend.Status;
import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.zookeeper.RecordingListener.Connectivity;
import io.sluice.discovery.zookeeper.RecordingListener.Event;
import io.sluice.discovery.zookeeper.RecordingListener.Snapshot;
import io.sluice.registration.InstancePayload;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.apache.curator.utils.CloseableUtils;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZooKeeperDiscoveryTest {

    private static final String BASE = "/sluice";
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

    private ZooKeeperRegistration register(String service, String id, String ip, int port, InstancePayload payload)
            throws Exception {
        ZooKeeperRegistration r = ZooKeeperRegistration.register(
                server.getConnectString(), BASE, service, id, ip, port, payload, 30_000, 10_000);
        closeables.add(r);
        return r;
    }

    private RecordingListener watch(String pool, String service) {
        RecordingListener listener = new RecordingListener();
        ZooKeeperDiscovery discovery = new ZooKeeperDiscovery(pool, server.getConnectString(), BASE, service);
        closeables.add(discovery);
        discovery.start(listener);
        return listener;
    }

    private static DiscoveredBackend backend(String id, String ip, int port, int weight, Status status) {
        // An instance in maintenance without the agent's note (who, why) is said to be drained by its flag.
        return new DiscoveredBackend(id, new InetSocketAddress(ip, port), weight, status,
                status == Status.MAINTENANCE ? "maintenance flag in ZooKeeper (instance " + id + ")" : null, null);
    }

    @Test
    void reportsRegistrationsRemovalsAndMaintenance() throws Exception {
        register("web", "web-1", "10.0.0.1", 8080, new InstancePayload(100, false));
        ZooKeeperRegistration two = register("web", "web-2", "10.0.0.2", 8081, new InstancePayload(250, false));
        RecordingListener listener = watch("web-pool", "web");

        DiscoveredBackend b1 = backend("web-1", "10.0.0.1", 8080, 100, Status.PASSING);
        await().atMost(WAIT).until(() -> Set.of(b1, backend("web-2", "10.0.0.2", 8081, 250, Status.PASSING))
                .equals(listener.lastSet()));
        Snapshot first = listener.snapshots().get(0);
        assertEquals("web-pool", first.pool());
        assertTrue(first.thread().startsWith("sluice-zk-web-pool"), first.thread());

        two.setMaintenance(true);
        await().atMost(WAIT).until(() -> Set.of(b1, backend("web-2", "10.0.0.2", 8081, 250, Status.MAINTENANCE))
                .equals(listener.lastSet()));

        two.unregister();
        await().atMost(WAIT).until(() -> Set.of(b1).equals(listener.lastSet()));
        assertTrue(listener.snapshots().stream().noneMatch(s -> s.backends().isEmpty()));
        assertEquals(List.of(new Connectivity("web-pool", true, "connected to ZooKeeper at " + server.getConnectString())),
                listener.connectivity());
    }

    @Test
    void startsEmptyAndSeesLaterRegistrations() throws Exception {
        RecordingListener listener = watch("p", "later");
        await().atMost(WAIT).until(() -> Set.of().equals(listener.lastSet()));
        register("later", "a", "::1", 9000, InstancePayload.defaults());
        await().atMost(WAIT).until(() -> Set.of(backend("a", "::1", 9000, 100, Status.PASSING))
                .equals(listener.lastSet()));
    }

    @Test
    void registrationOrderDoesNotMatter() throws Exception {
        register("one", "x", "10.0.0.1", 1, new InstancePayload(10, false));
        register("one", "y", "10.0.0.2", 2, new InstancePayload(20, true));
        register("two", "y", "10.0.0.2", 2, new InstancePayload(20, true));
        register("two", "x", "10.0.0.1", 1, new InstancePayload(10, false));
        RecordingListener one = watch("p", "one");
        RecordingListener two = watch("p", "two");

        await().atMost(WAIT).until(() -> one.lastSet() != null && one.lastSet().size() == 2
                && two.lastSet() != null && two.lastSet().size() == 2);
        assertEquals(one.lastSet(), two.lastSet());
        // the lists themselves are sorted by name, so even they agree
        assertEquals(one.snapshots().get(one.snapshots().size() - 1).backends(),
                two.snapshots().get(two.snapshots().size() - 1).backends());
    }

    @Test
    void skipsHostNamesAndClampsWeights() throws Exception {
        register("odd", "named", "backend.example", 80, InstancePayload.defaults());
        register("odd", "heavy", "10.0.0.9", 80, new InstancePayload(5000, false));
        RecordingListener listener = watch("p", "odd");
        await().atMost(WAIT).until(() -> Set.of(backend("heavy", "10.0.0.9", 80, 1000, Status.PASSING))
                .equals(listener.lastSet()));
    }

    @Test
    void serverRestartKeepsTheLastSetAndReportsConnectivity() throws Exception {
        register("web", "web-1", "10.0.0.1", 8080, InstancePayload.defaults());
        register("web", "web-2", "10.0.0.2", 8080, InstancePayload.defaults());
        RecordingListener listener = watch("p", "web");
        Set<DiscoveredBackend> both = Set.of(
                backend("web-1", "10.0.0.1", 8080, 100, Status.PASSING),
                backend("web-2", "10.0.0.2", 8080, 100, Status.PASSING));
        await().atMost(WAIT).until(() -> both.equals(listener.lastSet()));

        server.restart(); // same port and data; sessions (30 s) outlive the outage
        await().atMost(WAIT).until(() -> listener.connectivity().size() >= 3);
        List<Event> events = List.copyOf(listener.events);
        int down = indexOfConnectivity(events, false);
        int up = indexOfConnectivity(events, true, down);
        assertTrue(down >= 0 && up > down, events.toString());
        // nothing at all is sent while disconnected: the daemon keeps routing on the last set
        assertTrue(events.subList(down, up).stream().noneMatch(Snapshot.class::isInstance), events.toString());
        assertEquals(1, listener.connectivity().stream().filter(c -> !c.healthy()).count(), events.toString());
        // a fresh snapshot follows the reconnection, still with both (their sessions survived)
        await().atMost(WAIT).until(() -> listener.events.size() > up + 1
                && listener.events.get(up + 1) instanceof Snapshot);
        await().atMost(WAIT).until(() -> both.equals(listener.lastSet()));
        assertTrue(listener.snapshots().stream().noneMatch(s -> s.backends().isEmpty()));
    }

    @Test
    void registrationSessionExpiryRemovesTheNodeAndCuratorRegistersItAgain() throws Exception {
        register("web", "web-1", "10.0.0.1", 8080, InstancePayload.defaults());
        ZooKeeperRegistration two = register("web", "web-2", "10.0.0.2", 8080, new InstancePayload(100, true));
        RecordingListener listener = watch("p", "web");
        DiscoveredBackend b1 = backend("web-1", "10.0.0.1", 8080, 100, Status.PASSING);
        DiscoveredBackend b2 = backend("web-2", "10.0.0.2", 8080, 100, Status.MAINTENANCE);
        await().atMost(WAIT).until(() -> Set.of(b1, b2).equals(listener.lastSet()));
        String node = BASE + "/web/web-2";
        long ownerBefore = two.client().checkExists().forPath(node).getEphemeralOwner();

        // curator-test 5.9's KillSession injects the expiry on the client side; the old session's node
        // stays until Curator, reconnecting with a new session, deletes and re-creates it.
        KillSession.kill(two.client().getZookeeperClient().getZooKeeper());

        // Curator's ServiceDiscovery re-registers on the new session (payload kept): a new owner.
        await().atMost(WAIT).until(() -> {
            Stat stat = two.client().checkExists().forPath(node);
            return stat != null && stat.getEphemeralOwner() != ownerBefore
                    && stat.getEphemeralOwner() == two.client().getZookeeperClient().getZooKeeper().getSessionId();
        });
        await().atMost(WAIT).until(() -> Set.of(b1, b2).equals(listener.lastSet()));
        // the watcher's own session was untouched
        assertEquals(1, listener.connectivity().size(), listener.events.toString());
    }

    @Test
    void registrationSessionEndRemovesTheInstance() throws Exception {
        register("web", "web-1", "10.0.0.1", 8080, InstancePayload.defaults());
        ZooKeeperRegistration two = register("web", "web-2", "10.0.0.2", 8080, InstancePayload.defaults());
        RecordingListener listener = watch("p", "web");
        DiscoveredBackend b1 = backend("web-1", "10.0.0.1", 8080, 100, Status.PASSING);
        await().atMost(WAIT).until(() -> listener.lastSet() != null && listener.lastSet().size() == 2);

        // The agent dies without unregistering: its session ends and ZooKeeper drops the ephemeral node.
        two.client().close();
        await().atMost(WAIT).until(() -> Set.of(b1).equals(listener.lastSet()));
    }

    @Test
    void closeTwiceAndNoThreadsLeft() {
        ZooKeeperDiscovery discovery = new ZooKeeperDiscovery("leak", server.getConnectString(), BASE, "web");
        RecordingListener listener = new RecordingListener();
        discovery.start(listener);
        await().atMost(WAIT).until(() -> listener.lastSet() != null);
        discovery.close();
        discovery.close();
        await().atMost(WAIT).until(() -> leftThreads("leak"), List::isEmpty);

        ZooKeeperDiscovery neverStarted = new ZooKeeperDiscovery("never", server.getConnectString(), BASE, "web");
        neverStarted.close();
        neverStarted.close();
    }

    @Test
    void unreachableZooKeeperDoesNotBlockStart() throws Exception {
        int port = server.getPort();
        server.close();
        ZooKeeperDiscovery discovery = new ZooKeeperDiscovery("down", "127.0.0.1:" + port, BASE, "web");
        closeables.add(discovery);
        RecordingListener listener = new RecordingListener();
        long t0 = System.nanoTime();
        discovery.start(listener);
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos());
        assertFalse(listener.events.stream().anyMatch(Snapshot.class::isInstance));
    }

    private static List<String> leftThreads(String part) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().contains(part))
                .map(t -> t.getName() + " " + t.getState() + " "
                        + Arrays.toString(Arrays.copyOf(t.getStackTrace(), Math.min(12, t.getStackTrace().length))))
                .toList();
    }

    private static int indexOfConnectivity(List<Event> events, boolean healthy) {
        return indexOfConnectivity(events, healthy, 0);
    }

    private static int indexOfConnectivity(List<Event> events, boolean healthy, int from) {
        for (int i = Math.max(0, from); i < events.size(); i++) {
            if (events.get(i) instanceof Connectivity c && c.healthy() == healthy) {
                return i;
            }
        }
        return -1;
    }
}
