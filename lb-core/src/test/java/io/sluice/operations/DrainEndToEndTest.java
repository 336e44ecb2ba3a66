package io.sluice.operations;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.accesslog.AccessLog;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Draining a backend through the real admin HTTP API, watched from real client sockets. */
class DrainEndToEndTest {

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> accessLines = new ListAppender<>();
    private Logger accessLogger;

    @BeforeEach
    void captureAccessLog() {
        accessLogger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER_NAME);
        accessLogger.setLevel(Level.INFO);
        accessLines.start();
        accessLogger.addAppender(accessLines);
    }

    @AfterEach
    void releaseAccessLog() {
        accessLogger.detachAppender(accessLines);
    }

    @Test
    void drainSendsNewConnectionsElsewhereKeepsTheOldOneUntilTheDeadlineAndUndrainBringsItBack() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            Ops.Held longLived = Ops.open(daemon.address());
            String drained = longLived.backend();
            String other = drained.equals("a") ? "b" : "a";
            longLived.echo("before drain");

            AdminClient.Answer answer = api.post("/api/v1/pools/main/backends/" + drained + "/drain",
                    "{\"deadline\":\"1s\",\"close_rate\":50}");
            assertEquals(200, answer.status(), answer.toString());
            JsonNode view = answer.json();
            assertEquals("drain", view.path("admin").asText());
            assertFalse(view.path("eligible").asBoolean(true), answer.body());
            assertEquals(0, view.path("effective_weight").asInt(-1), answer.body());
            assertFalse(view.path("drain_deadline").isNull(), "the deadline is shown: " + answer.body());
            assertEquals(1, view.path("active_connections").asInt(), answer.body());

            // The open connection still relays while the drain runs...
            longLived.echo("during drain");
            // ...while every new connection goes to the other backend.
            List<String> names = Ops.namesOf(daemon.address(), 30);
            assertTrue(names.stream().allMatch(other::equals), names.toString());

            // At the deadline the daemon closes it (FIN from the proxy, not a hang).
            assertTrue(longLived.awaitClosedByPeer(), "closed at the drain deadline");
            longLived.close();
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    daemon.count("sluice.connections.closed", "listener", "main", "reason", "admin") == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> accessLogOf("admin").size() == 1);
            Map<String, String> line = accessLogOf("admin").get(0);
            assertEquals(drained, line.get("backend"), line.toString());
            assertEquals("main", line.get("pool"), line.toString());
            await().atMost(Duration.ofSeconds(5)).until(() -> api.backend("main", drained).path("active_connections").asInt() == 0);

            // Still drained after the deadline: nothing new reaches it.
            assertTrue(Ops.namesOf(daemon.address(), 4).stream().allMatch(other::equals));

            AdminClient.Answer undrain = api.post("/api/v1/pools/main/backends/" + drained + "/undrain", null);
            assertEquals(200, undrain.status(), undrain.toString());
            assertEquals("ready", undrain.json().path("admin").asText());
            assertTrue(undrain.json().path("eligible").asBoolean(), undrain.body());
            assertTrue(undrain.json().path("drain_deadline").isNull(), undrain.body());
            List<String> after = Ops.namesOf(daemon.address(), 6);
            assertTrue(after.contains(drained) && after.contains(other), "round-robin over both again: " + after);
        }
    }

    @Test
    void anUndrainBeforeTheDeadlineCancelsTheCloses() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            try (Ops.Held held = Ops.open(daemon.address())) {
                assertEquals(200, api.post("/api/v1/pools/main/backends/a/drain", "{\"deadline\":\"1s\"}").status());
                assertEquals(200, api.post("/api/v1/pools/main/backends/a/undrain", "").status());
                // Past the (cancelled) deadline the connection is still there and relays.
                await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() ->
                        daemon.daemon().connections().size() == 1
                                && daemon.count("sluice.connections.closed", "listener", "main", "reason", "admin") == 0);
                held.echo("still here");
            }
        }
    }

    /**
     * 200 connections on a backend, drained with deadline 1s and close_rate 100: all of them are
     * closed, spread over about 2 s (the configured rate), not in one burst; nothing leaks.
     */
    @Test
    void aDeadlineClosesManyConnectionsAtTheConfiguredRate() throws Exception {
        int n = 200;
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             // b has weight 0 in the config: every connection lands on a.
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b, 0)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            InetSocketAddress proxy = daemon.address();
            // Warm-up, so classes and jars opened by a first connection and a first drain do not count as leaks.
            Ops.namesOf(proxy, 2);
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 0);
            int fdBaseline = Ops.openFds();

            Map<SocketChannel, Long> closedAt = new HashMap<>();
            List<SocketChannel> channels = new ArrayList<>();
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < n; i++) {
                    SocketChannel ch = SocketChannel.open(proxy);
                    ch.configureBlocking(false);
                    ch.register(selector, SelectionKey.OP_READ, new int[1]);
                    channels.add(ch);
                }
                // Phase 1: every connection greeted by a.
                pump(selector, closedAt, () -> greeted(selector) == n, 20);
                assertTrue(closedAt.isEmpty(), "nothing closed before the drain");
                await().atMost(Duration.ofSeconds(5)).until(() -> daemon.pool().backend("a").activeConnections() == n);

                AdminClient.Answer drain = api.post("/api/v1/pools/main/backends/a/drain",
                        "{\"deadline\":\"1s\",\"close_rate\":100}");
                assertEquals(200, drain.status(), drain.toString());
                assertEquals(n, drain.json().path("active_connections").asInt(), drain.body());

                // Phase 2: every one is closed by the daemon.
                pump(selector, closedAt, () -> closedAt.size() == n, 30);
            } finally {
                for (SocketChannel ch : channels) {
                    ch.close();
                }
            }
            assertEquals(n, closedAt.size());
            long first = closedAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
            long last = closedAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            double spreadSeconds = (last - first) / 1e9;
            // 200 at 100/s is about 2 s of closes; a burst would be a few milliseconds.
            assertTrue(spreadSeconds > 0.8, "closes were spread over only " + spreadSeconds + " s");

            await().atMost(Duration.ofSeconds(5)).until(() ->
                    daemon.count("sluice.connections.closed", "listener", "main", "reason", "admin") == n);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    daemon.daemon().connections().size() == 0 && a.openConnections() == 0);
            assertEquals(0, daemon.pool().backend("a").activeConnections());
            if (fdBaseline > 0) {
                await().atMost(Duration.ofSeconds(5)).until(() -> Ops.openFds() <= fdBaseline + 5);
            }
        }
    }

    private static int greeted(Selector selector) {
        int count = 0;
        for (SelectionKey k : selector.keys()) {
            if (((int[]) k.attachment())[0] > 0) {
                count++;
            }
        }
        return count;
    }

    /**
     * Reads every channel until {@code done}: counts greeting bytes, and stamps System.nanoTime()
     * when one ends (EOF or reset). Bounded by {@code maxSeconds}.
     */
    private static void pump(Selector selector, Map<SocketChannel, Long> closedAt,
                             BooleanSupplier done, int maxSeconds) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - giveUp > 0) {
                throw new AssertionError("gave up after " + maxSeconds + " s; closed so far: " + closedAt.size());
            }
            selector.select(100);
            for (SelectionKey k : selector.selectedKeys()) {
                SocketChannel ch = (SocketChannel) k.channel();
                int read;
                try {
                    buf.clear();
                    read = ch.read(buf);
                } catch (IOException reset) {
                    read = -1;
                }
                if (read < 0) {
                    closedAt.put(ch, System.nanoTime());
                    k.cancel();
                } else {
                    ((int[]) k.attachment())[0] += read;
                }
            }
            selector.selectedKeys().clear();
        }
    }

    private List<Map<String, String>> accessLogOf(String reason) {
        List<Map<String, String>> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        List<ILoggingEvent> events;
        synchronized (accessLines) { // AppenderBase appends under the appender's lock
            events = List.copyOf(accessLines.list);
        }
        for (ILoggingEvent e : events) {
            try {
                Map<String, String> fields = new HashMap<>();
                json.readTree(e.getFormattedMessage()).fields()
                        .forEachRemaining(f -> fields.put(f.getKey(), f.getValue().asText()));
                if (reason.equals(fields.get("close_reason"))) {
                    out.add(fields);
                }
            } catch (IOException notJson) {
                assertNotNull(null, "access log line is not JSON: " + e.getFormattedMessage());
            }
        }
        return out;
    }
}
