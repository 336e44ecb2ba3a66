package io.sluice.state;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.backend.AdminState;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The Consul KV override store against the real {@code hashicorp/consul} image. Runs wherever Docker
 * is present; skipped cleanly where it is not (the fixture-based {@link ConsulOverrideStoreTest}
 * covers the same paths there).
 */
@Testcontainers(disabledWithoutDocker = true)
class ConsulOverrideStoreContainerTest {

    @Container
    static final GenericContainer<?> CONSUL = new GenericContainer<>(DockerImageName.parse("hashicorp/consul:1.20"))
            .withCommand("agent", "-dev", "-client", "0.0.0.0")
            .withExposedPorts(8500)
            .waitingFor(Wait.forHttp("/v1/status/leader").forPort(8500)
                    .forResponsePredicate(body -> body.length() > 2)
                    .withStartupTimeout(Duration.ofSeconds(60)));

    private static URI consul() {
        return URI.create("http://" + CONSUL.getHost() + ":" + CONSUL.getMappedPort(8500));
    }

    private static ConsulOverrideStore open(String prefix) throws Exception {
        return ConsulOverrideStore.open(consul(), null, null, prefix, Duration.ofSeconds(5));
    }

    @Test
    void aPutReachesTheOtherStoreAndADeleteClearsIt() throws Exception {
        try (ConsulOverrideStore a = open("sluice-it/one");
             ConsulOverrideStore b = open("sluice-it/one")) {
            AdminOverride drain = new AdminOverride(AdminState.DRAIN, 50, null, 100.0);
            a.put("chat", "app-1", drain);
            await().atMost(Duration.ofSeconds(70)).until(() -> drain.equals(b.get("chat", "app-1")));
            b.put("chat", "app-1", AdminOverride.NONE);
            await().atMost(Duration.ofSeconds(70)).until(() -> AdminOverride.NONE.equals(a.get("chat", "app-1")));
        }
    }

    @Test
    void aWriteOnAVersionThatMovedOnLoses() throws Exception {
        try (ConsulOverrideStore a = open("sluice-it/two");
             ConsulOverrideStore b = open("sluice-it/two")) {
            AdminOverride first = new AdminOverride(AdminState.DRAIN, 1, null, null);
            assertEquals(StoreWrite.STORED, a.put("p", "k", first).get(60, TimeUnit.SECONDS));
            Stored base = a.read("p/k");
            assertEquals(first, base.value());
            assertEquals(new AdminOverride(AdminState.MAINT, 2, null, null),
                    a.writeIf("p/k", new AdminOverride(AdminState.MAINT, 2, null, null), base).value());
            assertNull(b.writeIf("p/k", new AdminOverride(AdminState.READY, 3, null, null), base));
            try (ConsulOverrideStore fresh = open("sluice-it/two")) {
                assertEquals(2, fresh.get("p", "k").weight());
            }
        }
    }
}
