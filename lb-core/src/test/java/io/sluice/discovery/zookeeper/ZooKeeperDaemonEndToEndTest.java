package io.sluice.discovery.zookeeper;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.adminapi.BackendView;
import io.sluice.config.DiscoveryConfig;
import io.sluice.config.PoolDiscoverConfig;
import io.sluice.config.ZooKeeperRegistryConfig;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import io.sluice.registration.InstancePayload;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * The daemon discovering its pool from a real in-process ZooKeeper (curator-test TestingServer):
 * registrations route, maintenance drains without dropping the open connection, a server restart
 * leaves no routing gap.
 */
class ZooKeeperDaemonEndToEndTest {

    private static BackendView backend(RunningDaemon d, String name) {
        return d.daemon().admin().pool("main").backends().stream()
                .filter(b -> b.name().equals(name)).findFirst().orElse(null);
    }

    private static ZooKeeperRegistration register(TestingServer zk, String id, TestBackend app) throws Exception {
        return ZooKeeperRegistration.register(zk.getConnectString(), "/sluice", "chat", id, "127.0.0.1",
                app.address().getPort(), InstancePayload.defaults(), 10_000, 10_000);
    }

    @Test
    void routesToRegisteredInstancesAndSurvivesAServerRestart() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             ZooKeeperRegistration ra = register(zk, "chat-a", a);
             ZooKeeperRegistration rb = register(zk, "chat-b", b);
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().discover(
                     new PoolDiscoverConfig(null, List.of(), true, "chat"),
                     new DiscoveryConfig(null, new ZooKeeperRegistryConfig(zk.getConnectString(), "/sluice"), true)))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> daemon.daemon().admin().readiness().ready());
            await().atMost(Duration.ofSeconds(10)).until(() -> daemon.pool().eligibleBackends().size() == 2);
            Set<String> reached = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                reached.add(Clients.backendNameVia(daemon.address()));
            }
            assertEquals(Set.of("a", "b"), reached);

            Socket held = Clients.connectTo(daemon.address(), "a", 10);
            ra.setMaintenance(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> "drain".equals(backend(daemon, "chat-a").admin()));
            assertEquals("discovery: maintenance mode", backend(daemon, "chat-a").cause());
            for (int i = 0; i < 8; i++) {
                assertEquals("b", Clients.backendNameVia(daemon.address()));
            }
            held.getOutputStream().write("still here\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("still here", Clients.readLine(held));
            ra.setMaintenance(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> daemon.pool().eligibleBackends().size() == 2);

            zk.restart();
            for (int i = 0; i < 5; i++) {
                // No routing gap while the session reconnects: the last set stays in force.
                String name = Clients.backendNameVia(daemon.address());
                assertEquals(true, name.equals("a") || name.equals("b"), name);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> daemon.pool().eligibleBackends().size() == 2);
            held.close();
        }
    }

    private static double sample(RunningDaemon d, String series) {
        for (String line : d.daemon().admin().prometheusText().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    /**
     * Issue 14, fault 5: reachability per pool, staleness that stays 0 while a healthy registry is
     * quiet and grows during an outage, and a counter of what discovery added and forgot.
     */
    @Test
    void registryReachabilityStalenessAndChangesAreMeasured() throws Exception {
        String reachable = "sluice_discovery_registry_reachable{pool=\"main\",registry=\"zookeeper\"}";
        String staleness = "sluice_discovery_staleness_seconds{pool=\"main\"}";
        try (TestingServer zk = new TestingServer(true);
             TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             ZooKeeperRegistration ra = register(zk, "chat-a", a);
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().discover(
                     new PoolDiscoverConfig(null, List.of(), true, "chat"),
                     new DiscoveryConfig(null, new ZooKeeperRegistryConfig(zk.getConnectString(), "/sluice"), true)))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> daemon.daemon().admin().readiness().ready());
            assertEquals(1.0, sample(daemon, reachable));
            long quietSince = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - quietSince > 1_500_000_000L);
            assertEquals(0.0, sample(daemon, staleness), "a quiet, healthy registry is not stale");

            String added = "sluice_discovery_changes_total{change=\"added\",pool=\"main\"}";
            String removed = "sluice_discovery_changes_total{change=\"removed\",pool=\"main\"}";
            String forgotten = "sluice_discovery_changes_total{change=\"forgotten\",pool=\"main\"}";
            double addedBefore = sample(daemon, added);
            assertTrue(addedBefore >= 1.0, "the first snapshot's backend was counted: " + addedBefore);
            try (ZooKeeperRegistration rb = register(zk, "chat-b", b)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> daemon.pool().eligibleBackends().size() == 2);
                assertTrue(sample(daemon, added) >= addedBefore + 1, "chat-b was counted as added");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> sample(daemon, forgotten) >= 1.0);
            assertTrue(sample(daemon, removed) >= 1.0);

            zk.stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> sample(daemon, reachable) == 0.0);
            await().atMost(Duration.ofSeconds(10)).until(() -> sample(daemon, staleness) >= 1.0);
            zk.restart();
            await().atMost(Duration.ofSeconds(30)).until(() -> sample(daemon, reachable) == 1.0);
            assertEquals(0.0, sample(daemon, staleness));
        }
    }
}
