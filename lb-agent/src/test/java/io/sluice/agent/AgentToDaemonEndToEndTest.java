package io.sluice.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.agent.config.AgentConfig;
import io.sluice.agent.config.AgentConfigLoader;
import io.sluice.fixture.ConsulApiFixture;
import io.sluice.harness.Clients;
import io.sluice.harness.SluiceExtension;
import io.sluice.harness.TestBackend;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent and the daemon (a real process, {@link SluiceExtension}) together: the agent registers a
 * real local app, the daemon discovers it
 * (from ConsulApiFixture — a fixture speaking Consul's HTTP API subset, not Consul — and from a
 * curator-test ZooKeeper), and the agent's {@code drain}/{@code ready} and its SIGTERM shutdown
 * sequence steer the daemon's routing without dropping an open connection.
 */
class AgentToDaemonEndToEndTest {

    private static final String ID = "chat-app-1";
    private static final String TOKEN = "agent-e2e-token";

    @TempDir
    Path dir;

    @Test
    void consulAgentSteersTheDaemon() throws Exception {
        try (ConsulApiFixture consul = new ConsulApiFixture();
             TestBackend app = TestBackend.namedEcho("app-1")) {
            Path configFile = writeConfig("""
                    registry: consul
                    consul: { address: %s }
                    """.formatted(consul.address()), app);
            // passing-only false: the daemon sees the maintenance status instead of a vanished instance.
            SluiceExtension daemon = SluiceExtension.builder().adminToken(TOKEN).configure(c -> c
                    .poolSetting("main", "discover: { consul: { service: chat, passing-only: false } }")
                    .section("""
                            discovery:
                              consul: { address: "%s" }
                              wait-for-first-snapshot: true
                            """.formatted(consul.address()))).build();
            scenario(configFile, daemon);
        }
    }

    @Test
    void zooKeeperAgentSteersTheDaemon() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             TestBackend app = TestBackend.namedEcho("app-1")) {
            Path configFile = writeConfig("""
                    registry: zookeeper
                    zookeeper: { connect: "%s", base-path: /sluice }
                    """.formatted(zk.getConnectString()), app);
            SluiceExtension daemon = SluiceExtension.builder().adminToken(TOKEN).configure(c -> c
                    .poolSetting("main", "discover: { zookeeper: { service: chat } }")
                    .section("""
                            discovery:
                              zookeeper: { connect: "%s", base-path: /sluice }
                              wait-for-first-snapshot: true
                            """.formatted(zk.getConnectString()))).build();
            scenario(configFile, daemon);
        }
    }

    private Path writeConfig(String registry, TestBackend app) throws IOException {
        int port = app.address().getPort();
        Path configFile = dir.resolve("agent.yaml");
        Files.writeString(configFile, registry + """
                services:
                  - name: chat
                    id: %s
                    address: 127.0.0.1
                    port: %d
                    check: { type: tcp, target: 127.0.0.1:%d, interval: 200ms, timeout: 100ms }
                    drain-on-shutdown: 1s
                """.formatted(ID, port, port));
        return configFile;
    }

    private void scenario(Path configFile, SluiceExtension sluice) throws Exception {
        AgentConfig config = AgentConfigLoader.load(configFile);
        Agent agent = new Agent(config.services(), Registrars.of(config, config.services()),
                d -> Thread.sleep(d.toMillis())); // as `run` does
        try (SluiceExtension daemon = sluice.start()) {
            agent.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> ready(daemon));
            await().atMost(Duration.ofSeconds(10)).until(() -> eligibleBackends(daemon) == 1);
            assertEquals("app-1", Clients.backendNameVia(daemon.address()));

            Socket held = Clients.connectTo(daemon.address(), "app-1", 5);
            assertNotNull(held, "a connection through the daemon reaches app-1");
            try {
                // drain: the agent's maintenance path, with a reason the daemon shows beside the drain
                assertEquals(0, cli("drain", "--service", "chat", "--reason", "kernel upgrade", "--config", configFile.toString()));
                await().atMost(Duration.ofSeconds(10)).until(() -> "drain".equals(admin(daemon)));
                assertTrue(cause(daemon).startsWith("discovery:"), cause(daemon));
                await().atMost(Duration.ofSeconds(10)).until(() -> backend(daemon).path("registry_drain").isObject());
                JsonNode registry = backend(daemon).path("registry_drain");
                assertEquals("discovery: maintenance mode", registry.path("state").asText());
                assertEquals("kernel upgrade", registry.path("reason").asText(), registry::toString);
                String by = registry.path("by").asText();
                assertTrue(by.contains(ID) && (by.startsWith("sluice-agent on ") || by.startsWith("consul _service_maintenance:")), by);
                assertTrue(backend(daemon).path("operator_drain").isNull(), "no operator drain yet");
                for (int i = 0; i < 5; i++) {
                    assertRefused(daemon);
                }
                assertEchoes(held, "held while draining");

                // The operator drains too, with a reason; both drains show side by side.
                JsonNode both = post(daemon, "drain", "{\"reason\": \"moving racks\"}");
                assertEquals("moving racks", both.path("operator_drain").path("reason").asText(), both::toString);
                assertEquals("admin api", both.path("operator_drain").path("by").asText());
                assertEquals("kernel upgrade", both.path("registry_drain").path("reason").asText(), both::toString);
                // undrain ends the operator's drain only: the registry's still holds, and says who set it.
                JsonNode undrained = post(daemon, "undrain", "");
                assertTrue(undrained.path("operator_drain").isNull(), undrained::toString);
                assertEquals("kernel upgrade", undrained.path("registry_drain").path("reason").asText(), undrained::toString);
                assertEquals(by, undrained.path("registry_drain").path("by").asText());
                assertEquals("drain", undrained.path("admin").asText());
                assertTrue(!undrained.path("eligible").asBoolean(), "still drained by the registry");
                assertRefused(daemon);
                JsonNode skipped = daemon.adminJson("/api/v1/explain?client=127.0.0.1").path("skipped").path(0);
                assertEquals("draining", skipped.path("reason").asText(), skipped::toString);
                assertEquals("kernel upgrade", skipped.path("registry_drain").path("reason").asText(), skipped::toString);

                // ready: new connections again
                assertEquals(0, cli("ready", "--service", "chat", "--config", configFile.toString()));
                await().atMost(Duration.ofSeconds(10)).until(() -> eligibleBackends(daemon) == 1);
                for (int i = 0; i < 3; i++) {
                    assertEquals("app-1", Clients.backendNameVia(daemon.address()));
                }
                assertEchoes(held, "held after ready");

                // SIGTERM: RunCommand's signal handler releases run(), which calls Agent.shutdown().
                agent.shutdown();
                assertTrue(!agent.registered(), "deregistered");
                await().atMost(Duration.ofSeconds(10)).until(() -> "drain".equals(admin(daemon)));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> "discovery: gone from the registry".equals(cause(daemon)));
                for (int i = 0; i < 3; i++) {
                    assertRefused(daemon);
                }
                assertEchoes(held, "held after the agent stopped");
            } finally {
                held.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> backend(daemon) == null);
        } finally {
            agent.close();
        }
    }

    /** POST /api/v1/pools/main/backends/ID/ACTION with the token; the answer's JSON (200 expected). */
    private static JsonNode post(SluiceExtension d, String action, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(d.adminUrl() + "/api/v1/pools/main/backends/" + ID + "/" + action))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        return new ObjectMapper().readTree(r.body());
    }

    /** Whether the daemon's {@code /readyz} says ready. */
    private static boolean ready(SluiceExtension d) throws InterruptedException {
        try {
            return d.adminJson("/readyz").path("ready").asBoolean();
        } catch (IOException notReady) {
            return false;
        }
    }

    /** Backends of pool main that new connections may go to, as the daemon reports them. */
    private static long eligibleBackends(SluiceExtension d) throws IOException, InterruptedException {
        int n = 0;
        for (JsonNode b : d.adminJson("/api/v1/pools/main").path("backends")) {
            n += b.path("eligible").asBoolean() ? 1 : 0;
        }
        return n;
    }

    /** The app's backend in pool main (GET /api/v1/pools/main), or null when the daemon has none. */
    private static JsonNode backend(SluiceExtension d) throws IOException, InterruptedException {
        for (JsonNode b : d.adminJson("/api/v1/pools/main").path("backends")) {
            if (b.path("name").asText().equals(ID)) {
                return b;
            }
        }
        return null;
    }

    private static String admin(SluiceExtension d) throws IOException, InterruptedException {
        JsonNode b = backend(d);
        return b == null ? null : b.path("admin").asText();
    }

    private static String cause(SluiceExtension d) throws IOException, InterruptedException {
        JsonNode b = backend(d);
        return b == null ? null : b.path("cause").asText(null);
    }

    /** A new connection is closed at once: EOF or a reset, never app-1's greeting, never a hang. */
    private static void assertRefused(SluiceExtension daemon) throws IOException {
        long start = System.nanoTime();
        try (Socket s = Clients.connect(daemon.address())) {
            s.setSoTimeout(3_000);
            int b = s.getInputStream().read();
            assertEquals(-1, b, "no backend: the connection must be closed, not served");
        } catch (SocketTimeoutException e) {
            fail("a new connection hung instead of being closed");
        } catch (SocketException e) {
            // reset: also fine
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "closed at once");
    }

    private static void assertEchoes(Socket held, String text) throws IOException {
        held.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(text, Clients.readLine(held));
    }

    private static int cli(String... args) {
        StringWriter err = new StringWriter();
        var cl = SluiceAgent.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        assertTrue(!err.toString().contains("\tat "), "no stack trace: " + err);
        assertEquals(0, code, err::toString);
        return code;
    }
}
