package io.sluice.state;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.StoreView;
import io.sluice.adminapi.StoreWriteView;
import io.sluice.config.ConsulRegistryConfig;
import io.sluice.config.DiscoveryConfig;
import io.sluice.config.StateConfig;
import io.sluice.config.ZooKeeperRegistryConfig;
import io.sluice.fixture.ConsulApiFixture;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.time.Duration;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * Two Sluice nodes sharing admin state through a real in-process ZooKeeper: a drain made on one
 * reaches the other within seconds, and a node that starts later has it before it accepts.
 */
class FleetWideStateTest {

    private static TestConfigs node(TestingServer zk, TestBackend a, TestBackend b) {
        return TestConfigs.builder().backend(a).backend(b)
                .discover(null, new DiscoveryConfig(null, new ZooKeeperRegistryConfig(zk.getConnectString(), "/sluice"), true))
                .state(new StateConfig("zookeeper", null));
    }

    private static String admin(RunningDaemon d, String backend) {
        return d.daemon().admin().pool("main").backends().stream()
                .filter(b -> b.name().equals(backend)).map(BackendView::admin).findFirst().orElseThrow();
    }

    @Test
    void consulKvCarriesADrainBetweenNodesToo() throws Exception {
        // ConsulApiFixture: a test fixture speaking the documented subset of Consul's HTTP API, not Consul.
        try (ConsulApiFixture kv = new ConsulApiFixture();
             TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b")) {
            TestConfigs config = TestConfigs.builder().backend(a).backend(b)
                    .discover(null, new DiscoveryConfig(
                            new ConsulRegistryConfig(kv.address(), null, null), null, true))
                    .state(new StateConfig("consul", null));
            try (RunningDaemon one = RunningDaemon.start(config);
                 RunningDaemon two = RunningDaemon.start(config)) {
                one.daemon().admin().maint("main", "a", false);
                await().atMost(Duration.ofSeconds(10)).until(() -> "maint".equals(admin(two, "a")));
                assertEquals("b", Clients.backendNameVia(two.address()));
                two.daemon().admin().ready("main", "a");
                await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(admin(one, "a")));
            }
        }
    }

    /**
     * Issue 14, fault 1: ZooKeeper stops, an operator drains a backend on node one. The drain is in
     * force there at once, the answer and the status say it is queued, readiness still answers; when
     * ZooKeeper returns the drain reaches node two and nothing is left queued, so the nodes agree.
     */
    @Test
    void aDrainWhileTheStoreIsDownIsQueuedAndReachesTheOtherNodeWhenItReturns() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon one = RunningDaemon.start(node(zk, a, b));
             RunningDaemon two = RunningDaemon.start(node(zk, a, b))) {
            zk.stop();
            await().atMost(Duration.ofSeconds(20)).until(() -> !one.daemon().admin().status().sharedStore().reachable());

            BackendView answer = one.daemon().admin().drain("main", "a", null, null, null);
            assertEquals("drain", answer.admin());
            assertEquals("queued", answer.sharedStore().state());
            assertEquals(StoreWriteView.QUEUED_DETAIL, answer.sharedStore().detail());
            assertEquals(List.of("main/a"), one.daemon().admin().status().sharedStore().queued().stream()
                    .map(StoreView.Change::backend).toList());
            assertTrue(one.daemon().admin().readiness().ready(), "readiness answers while the store is away");
            assertEquals("b", Clients.backendNameVia(one.address()), "node one has the drain at once");
            assertEquals("ready", admin(two, "a"), "node two does not have it while the store is away");

            zk.restart();
            await().atMost(Duration.ofSeconds(30)).until(() -> "drain".equals(admin(two, "a")));
            await().atMost(Duration.ofSeconds(30)).until(() -> one.daemon().admin().status().sharedStore().queued().isEmpty());
            assertEquals(0, one.daemon().admin().status().sharedStore().lostTotal());
            String scrape = one.daemon().admin().prometheusText();
            assertTrue(scrape.contains("sluice_state_store_queued_changes{store=\"zookeeper\"} 0.0"), scrape);
            assertTrue(scrape.contains("sluice_state_store_reachable{store=\"zookeeper\"} 1.0"), scrape);

            BackendView back = two.daemon().admin().ready("main", "a");
            assertEquals("stored", back.sharedStore().state());
            await().atMost(Duration.ofSeconds(10)).until(() -> "ready".equals(admin(one, "a")));
        }
    }

    @Test
    void aDrainOnOneNodeReachesTheOthers() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon one = RunningDaemon.start(node(zk, a, b));
             RunningDaemon two = RunningDaemon.start(node(zk, a, b))) {
            one.daemon().admin().drain("main", "a", null, null, null);
            await().atMost(Duration.ofSeconds(5)).until(() -> "drain".equals(admin(two, "a")));
            for (int i = 0; i < 6; i++) {
                assertEquals("b", Clients.backendNameVia(two.address()), "node two sends nothing to a drained backend");
            }
            two.daemon().admin().weight("main", "b", 40);
            await().atMost(Duration.ofSeconds(5)).until(() -> one.daemon().admin().pool("main").backends().stream()
                    .anyMatch(v -> v.name().equals("b") && v.weight() == 40));

            try (RunningDaemon three = RunningDaemon.start(node(zk, a, b))) {
                assertEquals("drain", admin(three, "a"), "a new node has the fleet's overrides before it accepts");
            }

            two.daemon().admin().ready("main", "a");
            await().atMost(Duration.ofSeconds(5)).until(() -> "ready".equals(admin(one, "a")));
        }
    }
}
