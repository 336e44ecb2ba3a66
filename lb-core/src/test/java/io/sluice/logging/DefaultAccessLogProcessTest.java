package io.sluice.logging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.ConfigText;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real daemon with its default logging (no logback file): access lines go to stdout in batches
 * (BatchingAppender flushing a BatchOutputStream), and still every line appears while the daemon
 * runs (nothing waits in the buffer for the exit), whole, and the lines of the connections that closed
 * just before SIGTERM are in the output when it exits. (That stop() writes what is still queued is
 * BatchingAppenderTest's: here the graceful stop takes longer than a period.)
 */
class DefaultAccessLogProcessTest {

    /** The whole line of a relayed connection, in field order; the time as Instant.toString prints it. */
    private static final Pattern LINE = Pattern.compile("\\{\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{3,9})?Z\","
            + "\"listener\":\"web\",\"client\":\"127\\.0\\.0\\.1:\\d+\",\"pool\":\"web\",\"backend\":\"app-1\","
            + "\"bytes_up\":0,\"bytes_down\":6,\"duration_ms\":\\d+,\"close_reason\":\"client-close\"}");

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void linesAppearWhileRunningAndAllAreWrittenAtStop() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            int port = Ports.freePort();
            int admin = Ports.freePort();
            InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            Path config = ConfigText.create().listener("web", port, "web").pool("web", "round-robin")
                    .backend("web", backend).admin(admin, null).writeTo(dir.resolve("sluice.yaml"));
            try (DaemonProcess d = DaemonProcess.launch().adminPort(admin).start(dir, "run", "--config", config.toString())) {
                await("daemon up").atMost(Duration.ofSeconds(30)).failFast("the daemon exited", () -> !d.isAlive())
                        .ignoreExceptions().until(() -> d.status().path("pid").asLong() == d.pid());
                for (int i = 0; i < 200; i++) {
                    assertEquals("app-1", Clients.backendNameVia(proxy));
                }
                // Written within a period or so; a buffer nobody flushed would hold them until the exit.
                await("200 lines while running").atMost(Duration.ofSeconds(20)).until(() -> accessLines(d.output()).size() == 200);

                for (int i = 0; i < 300; i++) {
                    assertEquals("app-1", Clients.backendNameVia(proxy));
                }
                d.terminate(); // right after the last close: most of these lines are still queued
                assertEquals(0, d.awaitExit(Duration.ofSeconds(30)), d.output());

                List<String> lines = accessLines(d.output());
                assertEquals(500, lines.size(), d.output());
                for (String line : lines) {
                    assertTrue(LINE.matcher(line).matches(), "a whole access line: " + line);
                }
                assertTrue(d.output().contains("Sluice stopped"), d.output());
            }
        }
    }

    /** The access lines (those with a close_reason); every such line must start at a line's start. */
    private static List<String> accessLines(String output) {
        return Arrays.stream(output.split("\n")).filter(l -> l.contains("\"close_reason\"")).toList();
    }
}
