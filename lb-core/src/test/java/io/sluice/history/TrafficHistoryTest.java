package io.sluice.history;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.adminapi.HistoryView;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The daemon's traffic history (GET /api/v1/history's records) through a real daemon and real
 * sockets: a connection that stays open shows as throughput while it runs (its bytes are counted
 * before it closes), the connections count follows it, and the ring never holds more than its
 * capacity.
 */
class TrafficHistoryTest {

    @Test
    void anOpenConnectionShowsAsThroughputWhileItRuns() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a));
             Socket held = Clients.connectTo(daemon.address(), "a", 20)) {
            assertTrue(held != null, "a connection reaches a");
            OutputStream out = held.getOutputStream();
            String line = "x".repeat(1000);
            // Keep bytes flowing across several samples (bounded: at most 200000 round trips and 60 s).
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            HistoryView.Series series = null;
            for (int i = 0; i < 200_000 && System.nanoTime() - until < 0; i++) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                assertEquals(line, Clients.readLine(held));
                series = series(daemon);
                if (series != null && series.bytesPerSecond().stream().anyMatch(r -> r > 1000)) {
                    break;
                }
            }
            assertTrue(series != null && series.bytesPerSecond().stream().anyMatch(r -> r > 1000),
                    "throughput of the open connection: " + series);
            assertEquals(1, series.connections().get(series.connections().size() - 1), "one connection open");
            HistoryView view = daemon.daemon().admin().history();
            assertEquals(TrafficHistory.SAMPLE_SECONDS, view.sampleSeconds());
            assertTrue(view.series().stream().allMatch(s -> s.at().size() <= TrafficHistory.CAPACITY));
        }
    }

    private static HistoryView.Series series(RunningDaemon daemon) {
        return daemon.daemon().admin().history().series().stream()
                .filter(s -> s.pool().equals("main") && s.backend().equals("a")).findFirst().orElse(null);
    }

    @Test
    void theConnectionsLineFollowsConnectionsOpenAndClosed() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a))) {
            Socket held = Clients.connectTo(daemon.address(), "a", 20);
            assertTrue(held != null, "a connection reaches a");
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                HistoryView.Series s = series(daemon);
                return s != null && !s.connections().isEmpty() && s.connections().get(s.connections().size() - 1) == 1;
            });
            held.close();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                HistoryView.Series s = series(daemon);
                return s.connections().get(s.connections().size() - 1) == 0;
            });
        }
    }
}
