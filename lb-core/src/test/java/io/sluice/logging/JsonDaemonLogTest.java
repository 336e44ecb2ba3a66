package io.sluice.logging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.harness.Clients;
import io.sluice.harness.ConfigText;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real daemon process with {@code SLUICE_LOG_FORMAT=json}: it starts, relays a connection,
 * reloads on SIGHUP and stops on SIGTERM, and every line it printed is a JSON object: the daemon's
 * own lines with time, level, logger, thread, message and the placeholders' values, the access log
 * lines as they always are.
 */
class JsonDaemonLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void everyLineOfTheDaemonIsJsonWithTheFieldsAnAggregatorExpects() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            int port = Ports.freePort();
            int admin = Ports.freePort();
            Path config = ConfigText.create().listener("web", port, "web").pool("web", "round-robin")
                    .backend("web", backend).admin(admin, null).writeTo(dir.resolve("sluice.yaml"));
            try (DaemonProcess d = DaemonProcess.launch().adminPort(admin).environment(LogFormat.ENV, "json")
                    .start(dir, "run", "--config", config.toString())) {
                await("daemon up").atMost(Duration.ofSeconds(30)).failFast("the daemon exited", () -> !d.isAlive())
                        .ignoreExceptions().until(() -> d.status().path("pid").asLong() == d.pid());
                assertEquals("app-1", Clients.backendNameVia(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
                assertTrue(d.signal("HUP"));
                await("reload logged").atMost(Duration.ofSeconds(20))
                        .until(() -> daemonLines(d.output()).stream().anyMatch(l -> l.path("message").asText().startsWith("Reloaded")));
                d.terminate();
                assertEquals(0, d.awaitExit(Duration.ofSeconds(30)), d.output());

                List<JsonNode> daemon = daemonLines(d.output());
                for (JsonNode line : daemon) {
                    Instant.parse(line.path("time").asText()); // ISO-8601 UTC, or this throws
                    assertTrue(line.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
                            "UTC, milliseconds: " + line);
                    assertTrue(LEVELS.contains(line.path("level").asText()), line.toString());
                    assertFalse(line.path("logger").asText().isEmpty(), line.toString());
                    assertFalse(line.path("thread").asText().isEmpty(), line.toString());
                    assertFalse(line.path("message").asText().isEmpty(), line.toString());
                }
                JsonNode started = find(daemon, "Sluice started");
                assertEquals("io.sluice.daemon.SluiceDaemon", started.path("logger").asText());
                assertTrue(started.path("arguments").isArray() && started.path("arguments").size() >= 3, started.toString());
                List<String> arguments = strings(started.path("arguments"));
                assertTrue(arguments.contains("epoll-sockets") || arguments.contains("epoll") || arguments.contains("nio"),
                        "the transport is one of the arguments: " + started);
                assertFalse(started.path("message").asText().contains("{}"), "the message is formatted: " + started);
                JsonNode stop = find(daemon, "Received SIGTERM");
                assertEquals("TERM", stop.path("signal").asText(), "the key-value pair is a field: " + stop);

                List<JsonNode> access = allLines(d.output()).stream().filter(l -> l.has("close_reason")).toList();
                assertEquals(1, access.size(), d.output());
                assertEquals("app-1", access.get(0).path("backend").asText());
            }
        }
    }

    private static JsonNode find(List<JsonNode> lines, String messageStart) {
        return lines.stream().filter(l -> l.path("message").asText().startsWith(messageStart)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + messageStart + "' in " + lines));
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<JsonNode> daemonLines(String output) {
        return allLines(output).stream().filter(l -> l.has("level")).toList();
    }

    /** Every non-empty line as JSON; a line that is not a JSON object fails the test with the line. */
    private static List<JsonNode> allLines(String output) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                if (!node.isObject()) {
                    fail("not a JSON object: " + line);
                }
                lines.add(node);
            } catch (JsonProcessingException e) {
                fail("not JSON: " + line + "\n--- whole output:\n" + output);
            }
        }
        return lines;
    }
}
