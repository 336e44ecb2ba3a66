package io.sluice.operations;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.DrainConfig;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Maintenance through the admin HTTP API: with and without kill, and back to ready. */
class MaintTest {

    @TempDir
    Path dir;

    @Test
    void maintWithoutKillKeepsOpenConnectionsAndTakesNoNewOnes() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            try (Ops.Held held = Ops.open(daemon.address())) {
                String target = held.backend();
                String other = target.equals("a") ? "b" : "a";
                AdminClient.Answer maint = api.post("/api/v1/pools/main/backends/" + target + "/maint", null);
                assertEquals(200, maint.status(), maint.toString());
                assertEquals("maint", maint.json().path("admin").asText());
                assertFalse(maint.json().path("eligible").asBoolean(true));

                assertTrue(Ops.namesOf(daemon.address(), 10).stream().allMatch(other::equals));
                // Without kill (and no deadline) nothing closes it, however long.
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() ->
                        daemon.count("sluice.connections.closed", "listener", "main", "reason", "admin") == 0);
                held.echo("in maintenance");
                assertEquals(1, api.backend("main", target).path("active_connections").asInt());
            }
        }
    }

    @Test
    void maintWithKillClosesExistingConnectionsPacedAndReadyRestores() throws Exception {
        int n = 10;
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             // Close rate 20/s: ten connections take about half a second.
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b)
                     .drain(new DrainConfig(null, 20)).admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            List<Ops.Held> onA = new ArrayList<>();
            List<Ops.Held> onB = new ArrayList<>();
            ExecutorService watchers = Executors.newFixedThreadPool(n);
            try {
                for (int i = 0; i < 2 * n; i++) {
                    Ops.Held h = Ops.open(daemon.address());
                    (h.backend().equals("a") ? onA : onB).add(h);
                }
                assertEquals(n, onA.size(), "round-robin puts half on a");
                ConcurrentHashMap<Integer, Long> closedAt = new ConcurrentHashMap<>();
                List<Future<Boolean>> closed = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Ops.Held h = onA.get(i);
                    int id = i;
                    closed.add(watchers.submit(() -> {
                        boolean eof = h.awaitClosedByPeer();
                        closedAt.put(id, System.nanoTime());
                        return eof;
                    }));
                }

                AdminClient.Answer kill = api.post("/api/v1/pools/main/backends/a/maint", "{\"kill\": true}");
                assertEquals(200, kill.status(), kill.toString());
                assertEquals("maint", kill.json().path("admin").asText());
                for (Future<Boolean> f : closed) {
                    assertTrue(f.get(15, TimeUnit.SECONDS), "closed by the daemon");
                }
                long first = closedAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
                long last = closedAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
                // 10 at 20/s is about 0.5 s of closes; all at once would be a few milliseconds.
                assertTrue((last - first) / 1e9 > 0.25, "kill was not paced: spread " + (last - first) / 1e6 + " ms");
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        daemon.count("sluice.connections.closed", "listener", "main", "reason", "admin") == n);

                // b's connections are untouched.
                for (Ops.Held h : onB) {
                    h.echo("b survives");
                }
                assertTrue(Ops.namesOf(daemon.address(), 6).stream().allMatch("b"::equals));

                AdminClient.Answer ready = api.post("/api/v1/pools/main/backends/a/ready", "{}");
                assertEquals(200, ready.status(), ready.toString());
                assertEquals("ready", ready.json().path("admin").asText());
                assertTrue(ready.json().path("eligible").asBoolean());
                assertTrue(Ops.namesOf(daemon.address(), 6).contains("a"));
            } finally {
                watchers.shutdownNow();
                for (Ops.Held h : onA) {
                    h.close();
                }
                for (Ops.Held h : onB) {
                    h.close();
                }
            }
        }
    }
}
