package io.sluice.warmup;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon warms up before it listens, says so in one line, and none of it shows: no access-log
 * line, no metric, no connection counted on a real listener; then it serves as usual.
 */
class WarmupProcessTest {

    @TempDir
    Path dir;

    @Test
    void warmsUpBeforeListeningAndLeavesNoTrace() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app")) {
            int port = Ports.freePort();
            int admin = Ports.freePort();
            Path config = ConfigText.create().listener("edge", port, "app").pool("app", "round-robin")
                    .backend("app", backend).admin(admin, null)
                    .section("warmup: { connections: 300, max-time: 30s }")
                    .writeTo(dir.resolve("sluice.yaml"));
            try (DaemonProcess p = DaemonProcess.launch().adminPort(admin)
                    .start(dir, "run", "--config", config.toString())) {
                InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                await().atMost(Duration.ofSeconds(60)).until(() -> p.output().contains("Sluice started"));
                String out = p.output();
                assertTrue(out.contains("warm-up: 300 connections through the relay (tcp) in "), out);
                assertTrue(out.indexOf("warm-up: 300") < out.indexOf("Sluice started"), "warm-up before listening: " + out);
                String metrics = p.adminText("/metrics");
                assertFalse(metrics.contains("warmup"), "no warm-up listener in the metrics");
                assertEquals(0, backend.accepted(), "the warm-up never touches a configured backend");

                assertEquals("app", Clients.backendNameVia(proxy));
                await().atMost(Duration.ofSeconds(5)).until(() -> p.output().contains("\"listener\":\"edge\""));
                assertFalse(p.output().contains("warmup-tcp"), "no access-log line of the warm-up: " + p.output());
            }
        }
    }
}
