package io.sluice.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.ListenerConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.harness.Clients;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import io.sluice.listener.Listener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Shutdown order: stop accepting, let open connections finish within the grace period, close the rest. */
class GracefulShutdownTest {

    @Test
    void openConnectionsKeepFlowingDuringGraceAndStopEndsWhenTheyClose() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app")) {
            SluiceDaemon daemon = SluiceDaemon.start(TestConfigs.builder().backend(backend).build());
            InetSocketAddress address = daemon.boundAddress("main");
            Socket client = Clients.connect(address);
            assertEquals("app", Clients.readLine(client));

            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> daemon.stop(Duration.ofSeconds(30)));
            // New connections are refused once the listener is unbound...
            await().atMost(Duration.ofSeconds(5)).until(() -> refuses(address));
            // ...while the open one still relays both ways.
            for (int i = 0; i < 5; i++) {
                client.getOutputStream().write(("during-grace-" + i + "\n").getBytes(StandardCharsets.UTF_8));
                assertEquals("during-grace-" + i, Clients.readLine(client));
            }
            assertFalse(stopped.isDone(), "stop must wait for the open connection");
            client.close();
            stopped.get(10, TimeUnit.SECONDS); // well before the 30 s grace
        }
    }

    @Test
    void connectionsStillOpenAtTheEndOfGraceAreClosed() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app")) {
            SluiceDaemon daemon = SluiceDaemon.start(TestConfigs.builder().backend(backend).build());
            Socket client = Clients.connect(daemon.boundAddress("main"));
            assertEquals("app", Clients.readLine(client));

            daemon.stop(Duration.ofMillis(300));
            assertEquals(-1, client.getInputStream().read(), "the daemon closed the connection at the end of grace");
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 0);
            assertEquals(1, daemon.metrics().count("sluice.connections.closed", "listener", "main", "reason", "shutdown"));
            client.close();
        }
    }

    @Test
    void abandoningGraceClosesAtOnceAndStopIsIdempotent() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app")) {
            SluiceDaemon daemon = SluiceDaemon.start(TestConfigs.builder().backend(backend).build());
            Socket client = Clients.connect(daemon.boundAddress("main"));
            assertEquals("app", Clients.readLine(client));
            InetSocketAddress boundBefore = daemon.boundAddress("main");
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> daemon.stop(Duration.ofMinutes(10)));
            await().atMost(Duration.ofSeconds(5)).until(() -> refuses(boundBefore));
            daemon.abandonGrace(); // a second SIGTERM
            stopped.get(10, TimeUnit.SECONDS);
            assertEquals(-1, client.getInputStream().read());
            daemon.stop(Duration.ZERO); // second stop: no-op, no exception
            client.close();
        }
    }

    @Test
    void aListenerThatCannotBindFailsStartWithAClearMessageAndLeavesNothingBound() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app");
             ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var base = TestConfigs.builder().backend(backend).build();
            var listener = base.listeners().get(0);
            var clash = new ListenerConfig(listener.name(),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()),
                    listener.mode(), listener.pool(), listener.tls(), listener.acceptProxyProtocol(), listener.line());
            var config = new SluiceConfig(base.source(), List.of(clash), base.pools(), base.timeouts(), base.limits(), base.admin(), base.state(), null);
            var e = assertThrows(Listener.BindFailedException.class,
                    () -> SluiceDaemon.start(config));
            assertTrue(e.getMessage().contains("cannot bind listener 'main' to 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }

    private static boolean refuses(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1000);
            return false;
        } catch (IOException refused) {
            return true;
        }
    }
}
