package io.sluice.handover;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.daemon.SluiceDaemon;
import io.sluice.harness.Clients;
import io.sluice.harness.EachRelay;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TlsBackend;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons in one JVM: the descriptors really travel over the UNIX socket (SCM_RIGHTS works
 * within a process as between two), so this checks the whole protocol quickly; the process-level
 * tests check exit codes and kills. On both relays: the old daemon's connections are channels, or
 * sockets (the socket relay's own pause and capture; the new daemon adopts either with channels).
 */
class HandoverInProcessTest extends EachRelay {

    @TempDir
    Path dir;

    private final int port = Ports.freePort();
    private final int adminPort = Ports.freePort();



    private Path socket() {
        return dir.resolve("handover.sock");
    }

    private SluiceConfig config(TestBackend backend) throws Exception {
        return Handovers.inProcess(port, backend.address().getPort(), adminPort, socket());
    }

    @Test
    void establishedConnectionsListenersAndAdminMoveToTheNewDaemon() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            SluiceDaemon old = SluiceDaemon.start(config(backend));
            SluiceDaemon fresh = null;
            List<Socket> clients = new ArrayList<>();
            try {
                InetSocketAddress proxy = old.boundAddress("main");
                for (int i = 0; i < 20; i++) {
                    Socket s = Clients.connect(proxy);
                    assertEquals("app-1", Clients.readLine(s));
                    Handovers.say(s, "before-" + i);
                    clients.add(s);
                }
                AtomicBoolean handedOver = new AtomicBoolean();
                old.onHandedOver(() -> handedOver.set(true));

                fresh = SluiceDaemon.takeOver(config(backend), socket());

                // The old side learns it is done when it reads the new side's BYE, a moment after takeOver returns.
                await("the old daemon is told it handed everything over")
                        .atMost(Duration.ofSeconds(10)).untilTrue(handedOver);
                assertEquals(proxy, fresh.boundAddress("main"), "the same listening socket");
                assertEquals(old.adminAddress(), fresh.adminAddress(), "the admin socket too");
                HandoverStatus.Summary summary = fresh.handoverStatus().last();
                assertEquals("done", summary.outcome());
                assertEquals(20, summary.connections());
                old.stop(Duration.ofSeconds(5));
                assertEquals(20, fresh.connections().size(), "every connection is the new daemon's");
                // Metrics stay consistent in both: accepted + adopted - closed is what is open.
                assertEquals(20.0, old.metrics().count("sluice.connections.closed", "listener", "main", "reason", "handed-over"));
                assertEquals(20.0, fresh.metrics().count("sluice.connections.adopted", "listener", "main"));
                Handovers.sayToAll(clients, "after-");
                try (Socket late = Clients.connect(proxy)) {
                    assertEquals("app-1", Clients.readLine(late));
                    Handovers.say(late, "late");
                }
            } finally {
                Handovers.closeAll(clients, old, fresh);
            }
        }
    }

    /**
     * Readiness has no gap: whichever process answers the admin socket during the handover says
     * ready (the new one from the moment it accepts on the listeners), so a load balancer in front
     * that health-checks /readyz never takes the node out for an upgrade.
     */
    @Test
    void readyzAnswersReadyThroughoutTheHandover() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            SluiceDaemon old = SluiceDaemon.start(config(backend));
            List<Socket> clients = new ArrayList<>();
            System.setProperty("sluice.handover.test-batch-delay-ms", "150");
            CompletableFuture<SluiceDaemon> took = null;
            try {
                clients.addAll(Handovers.connect(old.boundAddress("main"), 120, "app-1"));
                took = Handovers.takeOverInBackground(config(backend), socket());
                int answers = 0;
                boolean sawTakingOver = false;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!took.isDone() && System.nanoTime() - deadline < 0) {
                    // A new HTTP connection each time: a kept-alive one would stay with the old process.
                    HttpClient http = HttpClient.newHttpClient();
                    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, ready.statusCode(), "ready throughout the handover: " + ready.body());
                    HttpResponse<String> status = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + adminPort + "/api/v1/status"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    sawTakingOver |= status.body().contains("\"taking-over\"");
                    answers++;
                    Thread.sleep(20);
                }
                SluiceDaemon fresh = took.get(60, TimeUnit.SECONDS);
                assertTrue(sawTakingOver, "the new daemon answered (ready) while it was still taking over; " + answers + " answers");
                assertEquals(120, fresh.handoverStatus().last().connections());
            } finally {
                System.clearProperty("sluice.handover.test-batch-delay-ms");
                Handovers.closeAll(clients, old, took == null ? null : Handovers.taken(took));
            }
        }
    }

    /**
     * A client that does not read while the backend sends 8 MiB: the old daemon holds bytes it
     * could not write yet (the client's socket is full). They travel in the batch and arrive after
     * the handover, in order, once; so does the backend's FIN.
     */
    @Test
    void bytesQueuedForASlowClientArriveAfterTheHandover() throws Exception {
        int size = 8 * 1024 * 1024;
        try (TestBackend backend = TestBackend.with("bulk", (socket, self) -> {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            for (int sent = 0; sent < size; sent += chunk.length) {
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = (byte) ((sent + i) % 251);
                }
                out.write(chunk);
            }
            out.flush();
            socket.shutdownOutput();
            socket.getInputStream().read(); // until the client closes
        })) {
            SluiceDaemon old = SluiceDaemon.start(config(backend));
            SluiceDaemon fresh = null;
            try (Socket client = Clients.connect(old.boundAddress("main"))) {
                client.setReceiveBufferSize(64 * 1024);
                client.setSoTimeout(30_000); // a lost FIN fails the test instead of hanging it
                // Let the daemon read ahead until the client's side is full and Netty queues the rest.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> old.connections().all().stream().anyMatch(c -> c.bytesDown() > 256 * 1024));
                Thread.sleep(300);
                fresh = SluiceDaemon.takeOver(config(backend), socket());
                old.stop(Duration.ofSeconds(5));
                InputStream in = client.getInputStream();
                byte[] buf = new byte[64 * 1024];
                long received = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != (byte) ((received + i) % 251)) {
                            throw new AssertionError("wrong byte at offset " + (received + i));
                        }
                    }
                    received += n;
                }
                assertEquals(size, received, "every byte, then the backend's FIN");
            } finally {
                old.stop(Duration.ZERO);
                if (fresh != null) {
                    fresh.stop(Duration.ZERO);
                }
            }
        }
    }

    /**
     * A connection that has sent half of its ClientHello moves in the middle of the sniff: the new
     * daemon replays what the old one had read and goes on reading. The leak detector (this JVM
     * runs both daemons) checks that the old daemon released its copy of the prelude.
     */
    @Test
    void aConnectionInTheMiddleOfItsClientHelloMovesAndCompletesItsHandshake() throws Exception {
        String sni = "app.test";
        try (TlsBackend backend = TlsBackend.start(sni)) {
            Path yaml = Handovers.tlsConfig(dir, "tls.yaml", port, sni, backend.address(), adminPort, socket());
            SluiceDaemon old = SluiceDaemon.start(ConfigLoader.load(yaml));
            SluiceDaemon fresh = null;
            try (Socket raw = Clients.connect(old.boundAddress("edge"))) {
                EngineClient client = new EngineClient(raw, sni);
                byte[] hello = client.clientHello();
                raw.getOutputStream().write(hello, 0, hello.length / 2);
                raw.getOutputStream().flush();
                await().atMost(Duration.ofSeconds(10)).until(() -> old.connections().size() == 1);
                Thread.sleep(200); // let the sniffer read the half (if it has not, the bytes move in the socket)

                fresh = SluiceDaemon.takeOver(ConfigLoader.load(yaml), socket());
                assertEquals(1, fresh.handoverStatus().last().connections());
                old.stop(Duration.ofSeconds(5));

                raw.getOutputStream().write(hello, hello.length / 2, hello.length - hello.length / 2);
                raw.getOutputStream().flush();
                client.finishHandshake();
                assertEquals(sni, client.peerName(), "the backend's own certificate, through the new daemon");
                assertEquals(sni, client.readLine(), "the backend's greeting");
                client.write("after the handover\n");
                assertEquals("after the handover", client.readLine());
            } finally {
                old.stop(Duration.ZERO);
                if (fresh != null) {
                    fresh.stop(Duration.ZERO);
                }
            }
        }
    }

}
