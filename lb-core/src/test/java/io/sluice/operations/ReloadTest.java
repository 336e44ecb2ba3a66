package io.sluice.operations;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.config.ConfigLoader;
import io.sluice.config.HealthCheckType;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerMode;
import io.sluice.config.SluiceConfig;
import io.sluice.daemon.SluiceDaemon;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloads of a running daemon, watched from clients that are mid-stream. */
class ReloadTest {

    @TempDir
    Path dir;

    @Test
    void aClientStreamingThroughAReloadThatRemovesItsBackendSeesNoErrorAndNewConnectionsAvoidIt() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b))) {
            Ops.Held held = Ops.open(daemon.address());
            String removed = held.backend();
            TestBackend remaining = removed.equals("a") ? b : a;

            AtomicInteger rounds = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> {
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                try {
                    while (!stop.get() && System.nanoTime() - giveUp < 0) {
                        held.echo("round " + rounds.get() + " " + "x".repeat(512));
                        rounds.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            await().atMost(Duration.ofSeconds(3)).until(() -> rounds.get() >= 20 || streaming.isDone());
            int atReload = rounds.get();
            daemon.daemon().reload(TestConfigs.builder().backend(remaining).build());
            assertNull(daemon.pool().backend(removed), "the reload removed " + removed);
            await().atMost(Duration.ofSeconds(3)).until(() -> rounds.get() >= atReload + 50 || streaming.isDone());
            stop.set(true);
            streaming.get(10, TimeUnit.SECONDS);
            assertNull(failure.get(), () -> "the stream broke after " + rounds.get() + " rounds: " + failure.get());
            assertTrue(rounds.get() >= atReload + 50, "the stream kept going after the reload: " + rounds.get());
            held.echo("after the stream");

            List<String> names = Ops.namesOf(daemon.address(), 20);
            assertTrue(names.stream().allMatch(remaining.name()::equals), names.toString());
            held.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 0);
            assertEquals(0, daemon.count("sluice.connections.closed", "listener", "main", "reason", "admin"));
            assertEquals(0, daemon.count("sluice.connections.closed", "listener", "main", "reason", "backend-abort"));
        }
    }

    /**
     * A reload that changes the pool's balance algorithm makes a new Pool (new backend objects) while
     * the health checker, whose settings did not change, is kept. A backend that was DOWN must stay
     * DOWN (or at least out of rotation): the kept checker only reports transitions, so it would
     * never tell the new pool again. Likewise an admin drain must survive.
     */
    @Test
    void aReloadThatChangesTheBalanceAlgorithmKeepsHealthAndAdminState() throws Exception {
        InetSocketAddress dead = Ops.deadAddress();
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b")) {
            TestConfigs before = TestConfigs.builder().backend(a).backend(b).backend("dead", dead, 100)
                    .health(HealthCheckType.TCP, Duration.ofMillis(200), Duration.ofMillis(200), 2, 2);
            try (RunningDaemon daemon = RunningDaemon.start(before)) {
                var ops = daemon.daemon().admin();
                await().atMost(Duration.ofSeconds(10)).until(() -> !daemon.pool().backend("dead").state().up());
                ops.drain("main", "b", null, null, null);

                TestConfigs after = TestConfigs.builder().balance(BalanceAlgorithm.LEAST_CONN)
                        .backend(a).backend(b).backend("dead", dead, 100)
                        .health(HealthCheckType.TCP, Duration.ofMillis(200), Duration.ofMillis(200), 2, 2);
                daemon.daemon().reload(after.build());
                assertEquals("least-conn", ops.pool("main").balance());

                var deadView = ops.pool("main").backends().stream().filter(v -> v.name().equals("dead")).findFirst().orElseThrow();
                assertEquals("down", deadView.health(), "still down after the reload: " + deadView);
                assertFalse(deadView.eligible(), deadView.toString());
                var drainedView = ops.pool("main").backends().stream().filter(v -> v.name().equals("b")).findFirst().orElseThrow();
                assertEquals("drain", drainedView.admin(), drainedView.toString());

                double failures = daemon.count("sluice.backend.connect.failures", "pool", "main", "backend", "dead", "reason", "refused");
                assertTrue(Ops.namesOf(daemon.address(), 10).stream().allMatch("a"::equals));
                assertEquals(failures, daemon.count("sluice.backend.connect.failures", "pool", "main", "backend", "dead", "reason", "refused"),
                        "the dead backend is not tried after the reload");
            }
        }
    }

    @Test
    void aReloadThatAddsAListenerAcceptsOnItAndRemovingItStopsAcceptingButKeepsItsConnection() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a))) {
            SluiceConfig base = daemon.daemon().config();
            ListenerConfig second = new ListenerConfig("second", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    ListenerMode.TCP, "main", null, List.of(), 2);
            List<ListenerConfig> both = new ArrayList<>(base.listeners());
            both.add(second);
            SluiceConfig withSecond = new SluiceConfig(base.source(), both, base.pools(), base.timeouts(), base.limits(),
                    base.admin(), base.state(), null);
            InetSocketAddress mainAddress = daemon.address();

            daemon.daemon().reload(withSecond);
            InetSocketAddress secondAddress = daemon.daemon().boundAddress("second");
            assertEquals(mainAddress, daemon.address(), "an unchanged listener keeps its socket");
            Ops.Held viaSecond = Ops.open(secondAddress);
            assertEquals("a", viaSecond.backend());
            viaSecond.echo("through the new listener");

            daemon.daemon().reload(base);
            await().atMost(Duration.ofSeconds(5)).until(() -> Ops.refuses(secondAddress));
            assertThrows(IllegalArgumentException.class, () -> daemon.daemon().boundAddress("second"));
            viaSecond.echo("the removed listener's connection keeps working");
            assertEquals("a", Ops.open(mainAddress).backend());
            viaSecond.close();
        }
    }

    @Test
    void anInvalidConfigThroughTheApiIsRejectedWithEveryErrorAndTheOldOneKeepsRunning() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b")) {
            AdminClient.tokenFile(dir);
            Path file = dir.resolve("sluice.yaml");
            int listenPort = Ops.deadPort();
            int adminPort = Ops.deadPort();
            Files.writeString(file, yaml(listenPort, adminPort, a, b));
            SluiceDaemon daemon = SluiceDaemon.start(ConfigLoader.load(file));
            try {
                AdminClient api = new AdminClient(daemon.adminAddress());
                InetSocketAddress proxy = daemon.boundAddress("main");
                Ops.Held held = Ops.open(proxy);

                Files.writeString(file, yaml(listenPort, adminPort, a, b)
                        .replace("weight: 100", "weight: 5000")
                        .replace("pool: main", "pool: mian")
                        + "surprise: true\n");
                AdminClient.Answer rejected = api.post("/api/v1/reload", null);
                assertEquals(422, rejected.status(), rejected.toString());
                JsonNode problem = rejected.json();
                assertTrue(problem.path("type").asText().endsWith("/config-rejected"), rejected.body());
                List<String> errors = new ArrayList<>();
                problem.path("errors").forEach(e -> errors.add(e.asText()));
                assertTrue(errors.size() >= 3, "every error is listed: " + errors);
                assertTrue(errors.stream().anyMatch(e -> e.contains("5000")), errors.toString());
                assertTrue(errors.stream().anyMatch(e -> e.contains("mian")), errors.toString());
                assertTrue(errors.stream().anyMatch(e -> e.contains("surprise")), errors.toString());

                // The old config runs on.
                held.echo("still relaying");
                List<String> names = Ops.namesOf(proxy, 4);
                assertTrue(names.contains("a") && names.contains("b"), names.toString());
                assertEquals(2, api.get("/api/v1/pools/main").json().path("backends").size());

                // A good file is taken.
                Files.writeString(file, yaml(listenPort, adminPort, a, null));
                AdminClient.Answer ok = api.post("/api/v1/reload", null);
                assertEquals(200, ok.status(), ok.toString());
                assertTrue(ok.json().path("ok").asBoolean(), ok.body());
                assertTrue(Ops.namesOf(proxy, 6).stream().allMatch("a"::equals));
                held.echo("still relaying after the good reload");
                held.close();
            } finally {
                daemon.stop(Duration.ZERO);
            }
        }
    }

    private static String yaml(int listenPort, int adminPort, TestBackend a, TestBackend b) {
        StringBuilder y = new StringBuilder();
        y.append("listeners:\n")
                .append("  - name: main\n")
                .append("    bind: 127.0.0.1:").append(listenPort).append('\n')
                .append("    pool: main\n")
                .append("pools:\n")
                .append("  main:\n")
                .append("    health:\n")
                .append("      type: none\n")
                .append("    passive:\n")
                .append("      consecutive-failures: 0\n")
                .append("    backends:\n");
        for (TestBackend t : b == null ? List.of(a) : List.of(a, b)) {
            y.append("      - name: ").append(t.name()).append('\n')
                    .append("        address: 127.0.0.1:").append(t.address().getPort()).append('\n')
                    .append("        weight: 100\n");
        }
        y.append("admin:\n")
                .append("  bind: 127.0.0.1:").append(adminPort).append('\n')
                .append("  token-file: admin.token\n");
        return y.toString();
    }
}
