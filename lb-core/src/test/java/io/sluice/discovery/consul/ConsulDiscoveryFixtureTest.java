package io.sluice.discovery.consul;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.fixture.ConsulAgentHttp;
import io.sluice.fixture.ConsulApiFixture;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scenarios against {@link ConsulApiFixture}, plus what only a fixture can do: go away and come back. */
class ConsulDiscoveryFixtureTest extends AbstractConsulDiscoveryScenarios {

    private ConsulApiFixture fixture;

    @Override
    void startRegistry() throws Exception {
        fixture = new ConsulApiFixture();
    }

    @Override
    void stopRegistry() {
        fixture.close();
    }

    @Override
    URI consulAddress() {
        return fixture.address();
    }

    @Test
    void outageKeepsTheLastSetAndRecoversOnTheSamePort() throws Exception {
        agent.register("a", service, "10.0.0.1", 8080);
        agent.register("b", service, "10.0.0.2", 8080);
        RecordingListener listener = watch(List.of(), true);
        awaitBackends(listener, "a", "b");
        int snapshotsBefore = listener.snapshots.size();

        fixture.stop();
        await().atMost(AWAIT).until(() -> !listener.connectivity.isEmpty());
        Thread.sleep(1_500); // several retries (200, 400, 800 ms ...) fail meanwhile
        assertEquals(1, listener.connectivity.size(), "once per state change: " + listener.connectivity);
        assertFalse(listener.connectivity.get(0).healthy());
        assertEquals(snapshotsBefore, listener.snapshots.size(), "no snapshot (above all no empty one) while down");

        fixture.restart();
        agent.deregister("a");
        await().atMost(AWAIT).until(() -> listener.connectivity.size() == 2);
        assertTrue(listener.connectivity.get(1).healthy());
        awaitBackends(listener, "b");
    }

    @Test
    void unreachableFromTheStartReportsOnceAndNoSnapshot() throws Exception {
        fixture.stop();
        RecordingListener listener = watch(List.of(), true);
        await().atMost(AWAIT).until(() -> !listener.connectivity.isEmpty());
        Thread.sleep(700);
        assertEquals(1, listener.connectivity.size());
        assertTrue(listener.snapshots.isEmpty());
        fixture.restart();
        await().atMost(AWAIT).until(() -> listener.snapshots.size() == 1);
        assertTrue(listener.connectivity.get(1).healthy());
    }

    @Test
    void aclTokenIsSent() throws Exception {
        try (ConsulApiFixture secured = new ConsulApiFixture("s3cret")) {
            new ConsulAgentHttp(secured.address(), "s3cret").register("a", service, "10.0.0.1", 8080);
            RecordingListener withToken = watch(new ConsulDiscovery("pool-a", secured.address(), "s3cret", "dc1",
                    service, List.of(), true));
            awaitBackends(withToken, "a");
            RecordingListener without = watch(new ConsulDiscovery("pool-a", secured.address(), null, null,
                    service, List.of(), true));
            await().atMost(AWAIT).until(() -> !without.connectivity.isEmpty());
            assertFalse(without.connectivity.get(0).healthy());
            assertTrue(without.connectivity.get(0).detail().contains("403"), without.connectivity.get(0).detail());
        }
    }

    @Test
    void closeStopsTheThreadsAndIsSafeTwice() throws Exception {
        ConsulDiscovery discovery = new ConsulDiscovery("pool-z", consulAddress(), null, null, service, List.of(), true);
        RecordingListener listener = watch(discovery);
        await().atMost(AWAIT).until(() -> !listener.snapshots.isEmpty());
        discovery.close();
        discovery.close();
        await().atMost(AWAIT).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("sluice-consul-pool-z")));
    }
}
