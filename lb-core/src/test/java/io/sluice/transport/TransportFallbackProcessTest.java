package io.sluice.transport;

import static org.awaitility.Awaitility.await;
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
 * A daemon asked for io_uring where the native transports cannot load (as on a kernel without
 * io_uring, or with it disabled) still starts and serves, and says why in plain lines, no stack
 * trace. A real process: Netty decides availability once per JVM.
 */
class TransportFallbackProcessTest {

    @TempDir
    Path dir;

    @Test
    void ioUringUnavailableFallsBackWithOneLineEach() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app")) {
            int port = Ports.freePort();
            Path config = ConfigText.create().listener("edge", port, "app").pool("app", "round-robin")
                    .backend("app", backend).writeTo(dir.resolve("fallback.yaml"));
            // noNative makes Netty report io_uring (and epoll) unavailable, as a kernel without them would.
            try (DaemonProcess p = DaemonProcess.launch()
                    .jvmOption("-Dsluice.transport=io_uring")
                    .jvmOption("-Dio.netty.transport.noNative=true")
                    .start(dir, "run", "--config", config.toString())) {
                InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> "app".equals(Clients.backendNameVia(proxy)));
                String out = p.output();
                assertTrue(out.contains("-Dsluice.transport=io_uring: io_uring is unavailable"), out);
                assertTrue(out.contains("trying epoll"), out);
                assertTrue(out.contains("falling back to NIO"), out);
                assertFalse(out.contains("\tat "), "no stack trace: " + out);
            }
        }
    }
}
