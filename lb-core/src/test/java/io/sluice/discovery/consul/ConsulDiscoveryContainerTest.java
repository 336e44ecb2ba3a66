package io.sluice.discovery.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The scenarios against a real Consul dev agent ({@code hashicorp/consul:1.20}). Skipped, not failed,
 * where there is no Docker. Outage and restart are only exercised against the fixture: a restarted
 * dev container loses its state and its mapped port.
 */
@Testcontainers(disabledWithoutDocker = true)
class ConsulDiscoveryContainerTest extends AbstractConsulDiscoveryScenarios {

    @Container
    static final GenericContainer<?> CONSUL = new GenericContainer<>(DockerImageName.parse("hashicorp/consul:1.20"))
            .withCommand("agent", "-dev", "-client", "0.0.0.0")
            .withExposedPorts(8500)
            .waitingFor(Wait.forHttp("/v1/status/leader").forPort(8500)
                    .forResponsePredicate(body -> body.length() > 2)
                    .withStartupTimeout(Duration.ofSeconds(60)));

    /** The scenarios run against a real agent of the pinned version, not the fixture by mistake. */
    @Test
    void theScenariosTalkToARealConsulAgent() throws Exception {
        HttpResponse<String> self = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(consulAddress().resolve("/v1/agent/self"))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, self.statusCode(), self.body());
        String version = new ObjectMapper().readTree(self.body())
                .path("Config").path("Version").asText();
        assertTrue(version.startsWith("1.20"), "Consul agent version: " + version);
    }

    @Override
    URI consulAddress() {
        return URI.create("http://" + CONSUL.getHost() + ":" + CONSUL.getMappedPort(8500));
    }
}
