package io.sluice.listener;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import io.sluice.transport.ListeningSockets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One owner per port: SO_REUSEPORT would let a second daemon bind a port the first one listens on
 * and take half its new connections without a word; the second start refuses instead (exit 2, one
 * line). This process's own sockets are
 * never "another owner" (a reload binds a moved listener before closing the old one).
 */
class OnePortOwnerTest {

    @TempDir
    Path dir;

    @Test
    void aSecondDaemonOnTheSamePortExitsTwoWithOneLine() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            int port = Ports.freePort();
            String yaml = """
                    listeners:
                      - { name: edge, bind: 127.0.0.1:%d, pool: app }
                    pools:
                      app:
                        health: { type: none }
                        backends:
                          - { name: app-1, address: 127.0.0.1:%d }
                    """.formatted(port, backend.address().getPort());
            Path config = DaemonProcess.writeConfig(dir, "one.yaml", yaml);
            InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            try (DaemonProcess first = DaemonProcess.start(dir, "run", "--config", config.toString())) {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> "app-1".equals(Clients.backendNameVia(proxy)));
                try (DaemonProcess second = DaemonProcess.start(dir, "run", "--config", config.toString())) {
                    Integer exit = second.awaitExit(Duration.ofSeconds(60));
                    assertEquals(2, exit, second.output());
                    String out = second.output();
                    assertTrue(out.contains("sluice: cannot bind listener 'edge' to 127.0.0.1:" + port
                            + ": another process already listens on 127.0.0.1:" + port), out);
                    assertFalse(out.contains("\tat "), "no stack trace:\n" + out);
                }
                assertTrue(first.isAlive(), first.output());
                assertEquals("app-1", Clients.backendNameVia(proxy));
            }
        }
    }

    @Test
    void ourOwnListeningSocketIsNoOtherOwner() throws Exception {
        try (ServerSocket own = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), own.getLocalPort());
            assertTrue(ListeningSockets.all().stream().anyMatch(e -> e.address().equals(at)),
                    "the kernel's table lists our socket: " + ListeningSockets.all());
            assertNull(ListeningSockets.ownedByAnother(at), "a socket of this process may be bound over (a reload)");
        }
    }
}
