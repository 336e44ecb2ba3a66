package io.sluice.agent.consul;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.agent.Agent;
import io.sluice.agent.SluiceAgent;
import io.sluice.agent.config.AgentConfig;
import io.sluice.agent.config.AgentConfigLoader;
import io.sluice.agent.config.ServiceConfig;
import io.sluice.agent.registrar.Registrar;
import io.sluice.fixture.ConsulApiFixture;
import io.sluice.registry.consul.ConsulClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Consul path against lb-core's ConsulApiFixture — a fixture that speaks Consul's documented
 * agent and health API, NOT Consul — with a real local "app" (a listening socket) to probe.
 */
class ConsulAgentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private ConsulApiFixture consul;
    private ServerSocket app;
    private int appPort;
    private Path configFile;
    private AgentConfig config;
    private Agent agent;

    @BeforeEach
    void setUp() throws Exception {
        consul = new ConsulApiFixture();
        app = new ServerSocket();
        app.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        appPort = app.getLocalPort();
        configFile = dir.resolve("agent.yaml");
        Files.writeString(configFile, """
                registry: consul
                consul: { address: %s }
                services:
                  - name: chat
                    id: chat-app-3
                    address: 10.0.0.13
                    port: 8443
                    tags: [edge]
                    weight: 70
                    check: { type: tcp, target: 127.0.0.1:%d, interval: 200ms, timeout: 100ms }
                    drain-on-shutdown: 30s
                """.formatted(consul.address(), appPort));
        config = AgentConfigLoader.load(configFile);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        app.close();
        consul.close();
    }

    private Agent startAgent(Agent.Sleeper sleeper) throws Exception {
        ConsulClient http = ConsulRegistrar.client(config.consul());
        List<Registrar> registrars = new ArrayList<>();
        for (ServiceConfig s : config.services()) {
            registrars.add(new ConsulRegistrar(http, s));
        }
        agent = new Agent(config.services(), registrars, sleeper);
        agent.start();
        return agent;
    }

    /** The fixture's /v1/health/service/chat entry for chat-app-3, or null. */
    private JsonNode entry() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(consul.address().resolve("/v1/health/service/chat"))
                .build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode e : JSON.readTree(r.body())) {
            if (e.path("Service").path("ID").asText().equals("chat-app-3")) {
                return e;
            }
        }
        return null;
    }

    private String checkStatus(String checkId) throws Exception {
        JsonNode e = entry();
        if (e == null) {
            return null;
        }
        for (JsonNode c : e.get("Checks")) {
            if (c.path("CheckID").asText().equals(checkId)) {
                return c.path("Status").asText();
            }
        }
        return null;
    }

    private void put(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(consul.address().resolve(path))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    private int cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = SluiceAgent.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        assertTrue(!err.toString().contains("\tat "), "no stack trace: " + err);
        return code;
    }

    @Test
    void registersWithTtlCheckAndWeightsThenPasses() throws Exception {
        startAgent(d -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> "passing".equals(checkStatus("service:chat-app-3")));
        JsonNode svc = entry().get("Service");
        assertEquals("chat", svc.get("Service").asText());
        assertEquals("10.0.0.13", svc.get("Address").asText());
        assertEquals(8443, svc.get("Port").asInt());
        assertEquals("edge", svc.get("Tags").get(0).asText());
        assertEquals(70, svc.get("Weights").get("Passing").asInt());
        assertEquals(1, svc.get("Weights").get("Warning").asInt());
        JsonNode ttlCheck = null;
        for (JsonNode c : entry().get("Checks")) {
            if (c.path("CheckID").asText().equals("service:chat-app-3")) {
                ttlCheck = c;
            }
        }
        assertEquals("ttl", ttlCheck.get("Type").asText());
        assertEquals(Duration.ofMillis(600), config.services().get(0).check().ttl());
    }

    @Test
    void appDownFailsTheCheckAndBackUpPassesIt() throws Exception {
        startAgent(d -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> "passing".equals(checkStatus("service:chat-app-3")));
        app.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> "critical".equals(checkStatus("service:chat-app-3")));
        app = new ServerSocket();
        app.setReuseAddress(true);
        app.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), appPort));
        await().atMost(Duration.ofSeconds(10)).until(() -> "passing".equals(checkStatus("service:chat-app-3")));
    }

    @Test
    void reRegistersWhenConsulLosesTheService() throws Exception {
        startAgent(d -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> "passing".equals(checkStatus("service:chat-app-3")));
        put("/v1/agent/service/deregister/chat-app-3"); // behind the agent's back
        assertEquals(null, entry());
        await().atMost(Duration.ofSeconds(10)).until(() -> "passing".equals(checkStatus("service:chat-app-3")));
        assertEquals(70, entry().get("Service").get("Weights").get("Passing").asInt());
    }

    @Test
    void drainAndReadyToggleConsulMaintenanceMode() throws Exception {
        startAgent(d -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> "passing".equals(checkStatus("service:chat-app-3")));
        assertEquals(0, cli("drain", "--service", "chat", "--config", configFile.toString()));
        assertEquals("critical", checkStatus("_service_maintenance:chat-app-3"));
        assertEquals(0, cli("ready", "--config", configFile.toString()));
        assertEquals(null, checkStatus("_service_maintenance:chat-app-3"));
        assertEquals(2, cli("drain", "--service", "nope", "--config", configFile.toString()));
    }

    @Test
    void shutdownEntersMaintenanceWaitsThenDeregisters() throws Exception {
        List<String> seenWhileDraining = new ArrayList<>();
        startAgent(d -> {
            try {
                seenWhileDraining.add(d + " " + checkStatus("_service_maintenance:chat-app-3"));
                Thread.sleep(800); // longer than the TTL: the probes must keep the TTL check alive
                seenWhileDraining.add(checkStatus("service:chat-app-3"));
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> "passing".equals(checkStatus("service:chat-app-3")));
        agent.shutdown();
        assertEquals(List.of("PT30S critical", "passing"), seenWhileDraining);
        assertEquals(null, entry());
        agent.shutdown(); // safe twice
    }

    @Test
    void registryDownAtStartIsRetried() throws Exception {
        int port = consul.port();
        consul.stop();
        startAgent(d -> { });
        Thread.sleep(500);
        assertTrue(!agent.registered());
        consul.restart();
        await().atMost(Duration.ofSeconds(10)).until(() -> "passing".equals(checkStatus("service:chat-app-3")));
        assertEquals(port, consul.port());
    }

    @Test
    void unreachableConsulGivesExitOneForDrain() throws Exception {
        consul.stop();
        assertEquals(1, cli("drain", "--config", configFile.toString()));
    }

}
