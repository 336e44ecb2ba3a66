package io.sluice.operations;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics through the real daemon, parsed as Prometheus text. */
class MetricsScrapeTest {

    @TempDir
    Path dir;

    /** One sample line: name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
    private static final Pattern IPV4 = Pattern.compile("\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b");

    static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "not a Prometheus sample line: " + line);
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                int end = 0;
                while (l.find()) {
                    assertEquals(end, l.start(), "label syntax in: " + line);
                    labels.put(l.group(1), l.group(2));
                    end = l.end();
                }
                assertEquals(m.group(2).length(), end, "label syntax in: " + line);
            }
            String v = m.group(3);
            double value = switch (v) {
                case "NaN" -> Double.NaN;
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(v);
            };
            out.add(new Sample(m.group(1), labels, value));
        }
        return out;
    }

    private static List<Sample> find(List<Sample> all, String name, String... labels) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : all) {
            if (!s.name().equals(name)) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < labels.length; i += 2) {
                match &= labels[i + 1].equals(s.labels().get(labels[i]));
            }
            if (match) {
                out.add(s);
            }
        }
        return out;
    }

    private static double value(List<Sample> all, String name, String... labels) {
        List<Sample> found = find(all, name, labels);
        assertEquals(1, found.size(), () -> "one series " + name + " " + List.of(labels) + ", found " + found);
        return found.get(0).value();
    }

    @Test
    void theScrapeHasDataPlanePoolProcessAndNettyMetricsAndNoClientAddresses() throws Exception {
        int n = 6;
        InetAddress client = Clients.loopback(77);
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            for (int i = 0; i < n; i++) {
                try (Ops.Held h = Ops.open(daemon.address(), client)) {
                    h.echo("hello " + i);
                    h.socket().shutdownOutput();
                    assertTrue(h.awaitClosedByPeer());
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 0);

            // Round-robin: the next connection goes to a (n is even) and is held open.
            try (Ops.Held held = Ops.open(daemon.address(), client)) {
                assertEquals("a", held.backend());
                AdminClient.Answer answer = api.get("/metrics");
                assertEquals(200, answer.status());
                assertTrue(answer.contentType().startsWith("text/plain"), answer.contentType());
                assertTrue(answer.contentType().contains("version=0.0.4"), answer.contentType());
                String text = answer.body();
                List<Sample> all = parse(text);

                assertEquals(n + 1, value(all, "sluice_connections_accepted_total", "listener", "main"), text);
                assertEquals(n, value(all, "sluice_connections_closed_total", "listener", "main", "reason", "client-close"), text);
                assertEquals(1, value(all, "sluice_backend_active_connections", "pool", "main", "backend", "a"), text);
                assertEquals(1, value(all, "sluice_listener_active_connections", "listener", "main"), text);
                assertEquals(0, value(all, "sluice_backend_active_connections", "pool", "main", "backend", "b"), text);
                assertEquals(1, value(all, "sluice_backend_up", "pool", "main", "backend", "a"), text);
                assertEquals(1, value(all, "sluice_backend_ready", "pool", "main", "backend", "b"), text);
                assertEquals(100, value(all, "sluice_backend_effective_weight", "pool", "main", "backend", "a"), text);
                assertEquals(2, value(all, "sluice_pool_eligible_backends", "pool", "main"), text);
                assertTrue(value(all, "sluice_bytes_up_total", "pool", "main") > 0, text);

                assertFalse(find(all, "jvm_memory_used_bytes").isEmpty(), "JVM memory");
                assertFalse(find(all, "sluice_event_loop_pending_tasks").isEmpty(), "event-loop pending tasks");
                assertTrue(find(all, "sluice_event_loop_pending_tasks").stream().allMatch(s -> s.labels().containsKey("loop")));
                assertFalse(find(all, "sluice_netty_direct_memory_used_bytes").isEmpty(), "Netty direct memory");
                // The allocator in use (Netty 4.2: the adaptive one) holds the relayed bytes' buffers;
                // reading the pooled allocator instead would say 0 for ever.
                assertTrue(value(all, "sluice_netty_pooled_direct_memory_used_bytes") > 0, text);
                // Gauges of events that have not happened yet read 0, not NaN.
                assertEquals(0, value(all, "sluice_handover_last_connections"), text);
                assertEquals(0, value(all, "sluice_handover_last_duration_seconds"), text);
                assertEquals(0, value(all, "sluice_handover_last_longest_pause_seconds"), text);
                assertFalse(find(all, "process_files_open_files").isEmpty(), "file descriptors");
                assertTrue(text.contains("# TYPE sluice_connections_accepted_total counter"), text);

                // Tag values are config names and fixed words: never a client (or any) IP address.
                for (Sample s : all) {
                    for (Map.Entry<String, String> l : s.labels().entrySet()) {
                        assertFalse(l.getValue().contains(client.getHostAddress()), "client IP in " + s);
                        assertFalse(IPV4.matcher(l.getValue()).find(), "an address as a tag value in " + s);
                    }
                }

                // A drain shows in the pool gauges.
                assertEquals(200, api.post("/api/v1/pools/main/backends/a/drain", null).status());
                List<Sample> drained = parse(api.get("/metrics").body());
                assertEquals(0, value(drained, "sluice_backend_ready", "pool", "main", "backend", "a"));
                assertEquals(0, value(drained, "sluice_backend_effective_weight", "pool", "main", "backend", "a"));
                assertEquals(1, value(drained, "sluice_pool_eligible_backends", "pool", "main"));
                assertEquals(1, value(drained, "sluice_backend_transitions_total", "pool", "main", "backend", "a", "to", "drain"));
            }
        }
    }
}
