package io.sluice.discovery.consul;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.discovery.DiscoveredBackend.Status;
import io.sluice.discovery.DiscoveredBackend;
import io.sluice.fixture.ConsulAgentHttp;
import io.sluice.fixture.ConsulApiFixture;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link ConsulDiscovery} must do, written once against the agent HTTP API, run against the
 * {@link ConsulApiFixture} and against a real Consul (when Docker is there).
 */
abstract class AbstractConsulDiscoveryScenarios {

    static final Duration AWAIT = Duration.ofSeconds(15);
    private static final AtomicInteger SERVICES = new AtomicInteger();

    private final List<ConsulDiscovery> discoveries = new ArrayList<>();
    protected ConsulAgentHttp agent;
    protected String service;

    /** Where the registry under test listens. */
    abstract URI consulAddress();

    /** The ACL token to use, or null. */
    String token() {
        return null;
    }

    /** Starts the registry before each test, if the subclass owns one per test. */
    void startRegistry() throws Exception {
    }

    /** Stops it after each test, after the discoveries closed. */
    void stopRegistry() {
    }

    @BeforeEach
    void newServiceName() throws Exception {
        startRegistry();
        agent = new ConsulAgentHttp(consulAddress(), token());
        // A fresh name per test: a real agent keeps its registrations for the whole class.
        service = "web" + SERVICES.incrementAndGet();
    }

    @AfterEach
    void closeDiscoveries() {
        discoveries.forEach(ConsulDiscovery::close);
        stopRegistry();
    }

    RecordingListener watch(List<String> tags, boolean passingOnly) {
        return watch(new ConsulDiscovery("pool-a", consulAddress(), token(), null, service, tags, passingOnly));
    }

    RecordingListener watch(ConsulDiscovery discovery) {
        discoveries.add(discovery);
        RecordingListener listener = new RecordingListener();
        discovery.start(listener);
        assertTrue(listener.snapshots.isEmpty() && listener.connectivity.isEmpty(), "nothing on the caller's thread");
        return listener;
    }

    static void awaitBackends(RecordingListener listener, String... names) {
        await().atMost(AWAIT).until(() -> listener.current().keySet().equals(Set.of(names))
                && !listener.snapshots.isEmpty());
    }

    @Test
    void registrationsArriveAsSnapshotsFromTheSourcesThreads() throws Exception {
        RecordingListener listener = watch(List.of(), false);
        await().atMost(AWAIT).until(() -> !listener.snapshots.isEmpty());
        assertEquals(List.of(), listener.snapshots.get(0), "an empty service is an empty set");
        agent.register("a", service, List.of(), "10.0.0.1", 8080, new int[] {5, 2}, Map.of(), "passing");
        agent.register("b", service, "10.0.0.2", 8081);
        awaitBackends(listener, "a", "b");
        DiscoveredBackend a = listener.current().get("a");
        assertEquals(new InetSocketAddress("10.0.0.1", 8080), a.address());
        assertEquals(5, a.weight());
        assertEquals(Status.PASSING, a.status());
        assertEquals(1, listener.current().get("b").weight(), "Consul's default Weights {1, 1}");
        assertTrue(listener.threads.stream().allMatch(t -> t.startsWith("sluice-consul-pool-a-notify-")),
                listener.threads.toString());
        assertTrue(listener.connectivity.isEmpty(), "no connectivity noise while healthy");
    }

    @Test
    void deregisteredInstanceIsGone() throws Exception {
        agent.register("a", service, "10.0.0.1", 8080);
        agent.register("b", service, "10.0.0.2", 8080);
        RecordingListener listener = watch(List.of(), true);
        awaitBackends(listener, "a", "b");
        agent.deregister("a");
        awaitBackends(listener, "b");
    }

    @Test
    void maintenanceIsMaintenanceWhenNonPassingAreWatched() throws Exception {
        agent.register("a", service, "10.0.0.1", 8080);
        RecordingListener listener = watch(List.of(), false);
        awaitBackends(listener, "a");
        agent.maintenance("a", true);
        await().atMost(AWAIT).until(() -> listener.current().get("a").status() == Status.MAINTENANCE);
        agent.maintenance("a", false);
        await().atMost(AWAIT).until(() -> listener.current().get("a").status() == Status.PASSING);
    }

    @Test
    void maintenanceDisappearsWithPassingOnly() throws Exception {
        agent.register("a", service, "10.0.0.1", 8080);
        agent.register("b", service, "10.0.0.2", 8080);
        RecordingListener listener = watch(List.of(), true);
        awaitBackends(listener, "a", "b");
        agent.maintenance("a", true);
        awaitBackends(listener, "b");
        agent.maintenance("a", false);
        awaitBackends(listener, "a", "b");
    }

    @Test
    void warningUsesWeightsWarning() throws Exception {
        agent.register("a", service, List.of(), "10.0.0.1", 8080, new int[] {10, 3}, Map.of(), "passing");
        RecordingListener listener = watch(List.of(), false);
        await().atMost(AWAIT).until(() -> listener.current().containsKey("a")
                && listener.current().get("a").weight() == 10);
        agent.check("a", "warn");
        await().atMost(AWAIT).until(() -> listener.current().get("a").status() == Status.WARNING);
        assertEquals(3, listener.current().get("a").weight());
    }

    @Test
    void failingCheckIsCritical() throws Exception {
        agent.register("a", service, "10.0.0.1", 8080);
        RecordingListener listener = watch(List.of(), false);
        awaitBackends(listener, "a");
        agent.check("a", "fail");
        await().atMost(AWAIT).until(() -> listener.current().get("a").status() == Status.CRITICAL);
        agent.check("a", "pass");
        await().atMost(AWAIT).until(() -> listener.current().get("a").status() == Status.PASSING);
    }

    @Test
    void onlyInstancesWithEveryTag() throws Exception {
        agent.register("blue-v1", service, List.of("blue", "v1"), "10.0.0.1", 1, null, Map.of(), "passing");
        agent.register("blue", service, List.of("blue"), "10.0.0.2", 2, null, Map.of(), "passing");
        agent.register("green", service, List.of("green"), "10.0.0.3", 3, null, Map.of(), "passing");
        RecordingListener blue = watch(List.of("blue"), true);
        RecordingListener blueV1 = watch(List.of("blue", "v1"), true);
        awaitBackends(blue, "blue-v1", "blue");
        awaitBackends(blueV1, "blue-v1");
    }

    @Test
    void emptyServiceAddressMeansTheNodeAddress() throws Exception {
        agent.register("a", service, "", 9000);
        RecordingListener listener = watch(List.of(), true);
        awaitBackends(listener, "a");
        assertEquals(new InetSocketAddress("127.0.0.1", 9000), listener.current().get("a").address());
    }

    /**
     * Issue 14, item 6: a node registered through {@code /v1/catalog/register} whose TaggedAddresses carry
     * only {@code lan} once made the whole health answer unreadable (kiwiproject consul-client needs
     * {@code wan}), so the pool was "unreachable". Every instance must be found, theirs and the others.
     */
    @Test
    void anExternalNodeWithOnlyALanTaggedAddressIsFoundWithTheRest() throws Exception {
        agent.register("a", service, "10.0.0.1", 8080);
        agent.registerExternal("external-" + service, "10.0.0.40", "ext", service, 6379);
        RecordingListener all = watch(List.of(), false);
        RecordingListener passing = watch(List.of(), true);
        awaitBackends(all, "a", "ext");
        awaitBackends(passing, "a", "ext");
        assertEquals(new InetSocketAddress("10.0.0.40", 6379), all.current().get("ext").address());
        assertEquals(Status.PASSING, all.current().get("ext").status());
        assertTrue(all.connectivity.isEmpty() && passing.connectivity.isEmpty(),
                "never reported unreachable: " + all.connectivity + " " + passing.connectivity);
    }

    @Test
    void burstsAreCoalesced() throws Exception {
        RecordingListener listener = watch(List.of(), false);
        await().atMost(AWAIT).until(() -> !listener.snapshots.isEmpty());
        int before = listener.snapshots.size();
        String[] names = new String[10];
        for (int i = 0; i < 10; i++) {
            names[i] = "i" + i;
            agent.register(names[i], service, "10.0.1." + (i + 1), 8080);
        }
        awaitBackends(listener, names);
        Thread.sleep(300); // let any straggler arrive before counting
        int emitted = listener.snapshots.size() - before;
        assertTrue(emitted <= 5, "10 changes in a burst gave " + emitted + " snapshots");
        assertEquals(10, listener.last().orElseThrow().size());
        assertFalse(listener.snapshots.stream().skip(before).anyMatch(s -> s.size() > 10));
    }
}
