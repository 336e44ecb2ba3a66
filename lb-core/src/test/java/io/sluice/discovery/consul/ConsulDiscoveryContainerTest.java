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

    @Override
    URI consulAddress() {
        return URI.create("http://" + CONSUL.getHost() + ":" + CONSUL.getMappedPort(8500));
    }
}
