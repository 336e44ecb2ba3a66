package io.sluice.discovery.consul;

import java.net.URI;
import java.time.Duration;
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
    @org.junit.jupiter.api.Test
    void theScenariosTalkToARealConsulAgent() throws Exception {
        java.net.http.HttpResponse<String> self = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(consulAddress().resolve("/v1/agent/self"))
                        .timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        org.junit.jupiter.api.Assertions.assertEquals(200, self.statusCode(), self.body());
        String version = new com.fasterxml.jackson.databind.ObjectMapper().readTree(self.body())
                .path("Config").path("Version").asText();
        org.junit.jupiter.api.Assertions.assertTrue(version.startsWith("1.20"), "Consul agent version: " + version);
    }

    @Override
    URI consulAddress() {
        return URI.create("http://" + CONSUL.getHost() + ":" + CONSUL.getMappedPort(8500));
    }
}
