package io.sluice.state;

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
    void concurrentReadModifyWritesLoseNothing() throws Exception {
        try (ConsulOverrideStore a = open("sluice-it/two");
             ConsulOverrideStore b = open("sluice-it/two")) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    ConsulOverrideStore s = t % 2 == 0 ? a : b;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            s.update("p", "counter", o -> new AdminOverride(AdminState.READY,
                                    o.weight() == null ? 1 : o.weight() + 1, null, null));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            try (ConsulOverrideStore fresh = open("sluice-it/two")) {
                assertEquals(100, fresh.get("p", "counter").weight());
            }
        }
    }
}
