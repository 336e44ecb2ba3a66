package io.sluice.discovery.consul;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.adminapi.BackendView;
import io.sluice.config.ConsulRegistryConfig;
import io.sluice.config.DiscoveryConfig;
import io.sluice.config.PoolDiscoverConfig;
import io.sluice.fixture.ConsulAgentHttp;
import io.sluice.fixture.ConsulApiFixture;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The daemon discovering its pool from Consul's HTTP API, here served by {@link ConsulApiFixture}
 * (a test fixture, not Consul): routing follows registrations, a deregistered instance is drained
 * (its open connection keeps going) and forgotten when that ends, an outage keeps the last set.
 */
class ConsulDaemonEndToEndTest {

    private static TestConfigs discovering(ConsulApiFixture consul) {
        return TestConfigs.builder().discover(
                new PoolDiscoverConfig("chat", List.of(), true, null),
                new DiscoveryConfig(new ConsulRegistryConfig(consul.address(), null, null), null, true));
    }

    private static BackendView backend(RunningDaemon d, String name) {
        return d.daemon().admin().pool("main").backends().stream()
                .filter(b -> b.name().equals(name)).findFirst().orElse(null);
    }

    @Test
    void routingFollowsTheRegistryWithoutDroppingConnections() throws Exception {
        try (ConsulApiFixture consul = new ConsulApiFixture();
             TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b")) {
            ConsulAgentHttp agent = new ConsulAgentHttp(consul.address(), null);
            agent.register("chat-a", "chat", "127.0.0.1", a.address().getPort());
            agent.register("chat-b", "chat", "127.0.0.1", b.address().getPort());
            consul.close(); // the registry is down when the daemon starts
            try (RunningDaemon daemon = RunningDaemon.start(discovering(consul))) {
                // No snapshot yet: not ready, and the listener is not even bound.
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                        .until(() -> !daemon.daemon().admin().readiness().ready());
                assertThrows(IllegalArgumentException.class, daemon::address, "listeners wait for the first snapshot");

                consul.restart();
                await().atMost(Duration.ofSeconds(20)).until(() -> daemon.daemon().admin().readiness().ready());
                await().atMost(Duration.ofSeconds(10)).until(() -> daemon.pool().eligibleBackends().size() == 2);
                assertNotNull(
                        daemon.daemon().admin().pool("main").discoveryStalenessSeconds(), "the pool API shows staleness");
                Set<String> reached = new HashSet<>();
                for (int i = 0; i < 6; i++) {
                    reached.add(Clients.backendNameVia(daemon.address()));
                }
                assertEquals(Set.of("a", "b"), reached);

                Socket held = Clients.connectTo(daemon.address(), "a", 10);
                agent.deregister("chat-a");
                await().atMost(Duration.ofSeconds(10)).until(() -> "drain".equals(backend(daemon, "chat-a").admin()));
                assertEquals("discovery: gone from the registry", backend(daemon, "chat-a").cause());
                for (int i = 0; i < 10; i++) {
                    assertEquals("b", Clients.backendNameVia(daemon.address()), "no new connections to a gone instance");
                }
                held.getOutputStream().write("still here\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("still here", Clients.readLine(held), "its open connection keeps going");
                held.close();
                await().atMost(Duration.ofSeconds(10)).until(() -> backend(daemon, "chat-a") == null);

                // Registry outage: the last set stays in force.
                consul.close();
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    Object d = daemon.daemon().admin().readiness().details().get("discovery");
                    return d != null && d.toString().contains("registry_reachable=false");
                });
                for (int i = 0; i < 5; i++) {
                    assertEquals("b", Clients.backendNameVia(daemon.address()));
                }
                assertFalse(daemon.pool().eligibleBackends().isEmpty());
            }
        }
    }

    /**
     * Issue 14, item 6: one instance on an external node whose TaggedAddresses carry only {@code lan} once
     * made the whole health answer unreadable, so the daemon saw the registry as unreachable and never
     * bound its listeners. Now it binds, and routes to that instance and the others.
     */
    @Test
    void anExternalNodeWithOnlyALanTaggedAddressDoesNotKeepTheListenersClosed() throws Exception {
        try (ConsulApiFixture consul = new ConsulApiFixture();
             TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b")) {
            ConsulAgentHttp agent = new ConsulAgentHttp(consul.address(), null);
            agent.register("chat-a", "chat", "127.0.0.1", a.address().getPort());
            agent.registerExternal("external-db", "127.0.0.1", "chat-ext", "chat", b.address().getPort());
            try (RunningDaemon daemon = RunningDaemon.start(discovering(consul))) {
                await().atMost(Duration.ofSeconds(20)).until(() -> daemon.daemon().admin().readiness().ready());
                await().atMost(Duration.ofSeconds(10)).until(() -> daemon.pool().eligibleBackends().size() == 2);
                Set<String> reached = new HashSet<>();
                for (int i = 0; i < 6; i++) {
                    reached.add(Clients.backendNameVia(daemon.address()));
                }
                assertEquals(Set.of("a", "b"), reached);
            }
        }
    }
}
