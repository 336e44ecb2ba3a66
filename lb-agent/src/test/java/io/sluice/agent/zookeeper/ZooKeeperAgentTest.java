package io.sluice.agent.zookeeper;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.agent.Agent;
import io.sluice.agent.SluiceAgent;
import io.sluice.agent.config.AgentConfig;
import io.sluice.agent.config.AgentConfigLoader;
import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.DiscoveryListener;
import io.sluice.discovery.zookeeper.ZooKeeperDiscovery;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ZooKeeper path against Curator's in-process TestingServer, read back with the daemon's own
 * ZooKeeperDiscovery: proves the agent's hand-written payload JSON is what the daemon decodes.
 */
class ZooKeeperAgentTest {

    @TempDir
    Path dir;

    private TestingServer zk;
    private ZooKeeperDiscovery daemonSide;
    private final AtomicReference<List<DiscoveredBackend>> seen = new AtomicReference<>();
    private Path configFile;
    private AgentConfig config;
    private Agent agent;
    private ZooKeeperRegistrar registrar;

    /** The "app" the agent probes: a listening socket (a TCP probe only connects). */
    private ServerSocket app;

    @BeforeEach
    void setUp() throws Exception {
        zk = new TestingServer(true);
        app = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        configFile = dir.resolve("agent.yaml");
        Files.writeString(configFile, """
                registry: zookeeper
                zookeeper: { connect: "%s", base-path: /sluice }
                services:
                  - name: chat
                    id: chat-app-3
                    address: 127.0.0.1
                    port: 8443
                    weight: 70
                    check: { type: tcp, target: 127.0.0.1:%d, interval: 200ms, timeout: 100ms }
                    drain-on-shutdown: 0s
                """.formatted(zk.getConnectString(), app.getLocalPort()));
        config = AgentConfigLoader.load(configFile);
        daemonSide = new ZooKeeperDiscovery("chat", zk.getConnectString(), "/sluice", "chat");
        daemonSide.start(new DiscoveryListener() {
            @Override
            public void snapshot(String pool, List<DiscoveredBackend> backends) {
                seen.set(List.copyOf(backends));
            }

            @Override
            public void connectivity(String pool, boolean healthy, String detail) {
            }
        });
        registrar = ZooKeeperRegistrar.connect(config.zookeeper(), config.services().get(0));
        agent = new Agent(config.services(), List.of(registrar), d -> { });
    }

    @AfterEach
    void tearDown() throws Exception {
        agent.close();
        daemonSide.close();
        zk.close();
        app.close();
    }

    private DiscoveredBackend chat() {
        List<DiscoveredBackend> list = seen.get();
        return list == null ? null
                : list.stream().filter(b -> b.name().equals("chat-app-3")).findFirst().orElse(null);
    }

    private String lastErr = "";

    private int cli(String... args) {
        StringWriter err = new StringWriter();
        var cl = SluiceAgent.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        assertTrue(!err.toString().contains("\tat "), "no stack trace: " + err);
        lastErr = err.toString();
        return code;
    }

    @Test
    void registeredInstanceIsSeenByTheDaemonWithItsWeight() {
        agent.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> chat() != null);
        assertEquals(new DiscoveredBackend("chat-app-3", new InetSocketAddress("127.0.0.1", 8443), 70,
                DiscoveredBackend.Status.PASSING), chat());
    }

    @Test
    void drainFromTheCommandLineIsMaintenanceForTheDaemonAndAdoptedByTheRunningAgent() {
        agent.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> chat() != null);
        assertEquals(0, cli("drain", "--config", configFile.toString()), () -> lastErr);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> chat() != null && chat().status() == DiscoveredBackend.Status.MAINTENANCE);
        await().atMost(Duration.ofSeconds(5)).until(registrar::inMaintenance);
        assertEquals(70, chat().weight());
        assertEquals(0, cli("ready", "--service", "chat", "--config", configFile.toString()));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> chat() != null && chat().status() == DiscoveredBackend.Status.PASSING);
    }

    @Test
    void shutdownDrainsThenRemovesTheInstance() throws Exception {
        agent.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> chat() != null);
        registrar.maintenance(true, "test");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> chat() != null && chat().status() == DiscoveredBackend.Status.MAINTENANCE);
        agent.shutdown();
        await().atMost(Duration.ofSeconds(15)).until(() -> chat() == null);
    }

    @Test
    void closeWithoutDeregisteringLetsTheEphemeralNodeGo() {
        agent.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> chat() != null);
        agent.close(); // session closed: the ephemeral node goes with it
        await().atMost(Duration.ofSeconds(15)).until(() -> chat() == null);
    }

    /** Issue 14, fault 4: a dead app leaves ZooKeeper after FALL failed probes and comes back after RISE. */
    @Test
    void aFailingProbeUnregistersTheInstanceAndRecoveryRegistersItAgain() throws Exception {
        agent.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> chat() != null);
        int port = app.getLocalPort();
        app.close(); // the app dies: connects are refused
        await().atMost(Duration.ofSeconds(15)).until(() -> chat() == null);
        assertTrue(agent.registered(), "the agent still has the service; only ZooKeeper does not");

        app = new ServerSocket(port, 50, InetAddress.getLoopbackAddress()); // the app is back
        await().atMost(Duration.ofSeconds(15)).until(() -> chat() != null);
        assertEquals(DiscoveredBackend.Status.PASSING, chat().status());
        assertEquals(70, chat().weight());
    }

    @Test
    void drainOfAnInstanceNobodyRunsIsExitOne() {
        assertEquals(1, cli("drain", "--config", configFile.toString()));
    }
}
