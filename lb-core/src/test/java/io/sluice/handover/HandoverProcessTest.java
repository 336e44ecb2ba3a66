package io.sluice.handover;

import static io.sluice.handover.Handovers.activeConnections;
import static io.sluice.handover.Handovers.awaitLast;
import static io.sluice.handover.Handovers.awaitUp;
import static io.sluice.handover.Handovers.handover;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.harness.Clients;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.StreamingTraffic;
import io.sluice.harness.TlsBackend;
import io.sluice.harness.TlsClients;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection handover between two real daemon processes: {@code sluice run --takeover SOCKET}
 * takes the listeners and every open connection of the daemon listening on SOCKET, which then exits
 * 0; no byte is lost, duplicated or reordered on the way, and no new connection is refused while it
 * happens. If the new daemon dies halfway, the old one keeps (and serves) every connection it had
 * not handed over yet, and goes back to accepting.
 *
 * <p>Daemon B gets the same listeners and pools as A, with its own admin port and handover socket
 * (both daemons run side by side for a while, so they cannot share those).
 */
class HandoverProcessTest {

    private static final Duration EXIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void everyStreamingConnectionMovesToTheNewDaemonAndNoNewConnectionIsRefused() throws Exception {
        try (StreamingTraffic traffic = StreamingTraffic.start(StreamingTraffic.Options.defaults())) {
            int port = Ports.freePort();
            int adminA = Ports.freePort();
            int adminB = Ports.freePort();
            Path socketA = dir.resolve("a.sock");
            Path configA = Handovers.tcpConfig(dir, "a.yaml", port, traffic.backendAddress(), adminA, socketA);
            Path configB = Handovers.tcpConfig(dir, "b.yaml", port, traffic.backendAddress(), adminB, dir.resolve("b.sock"));
            InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);

            try (DaemonProcess a = DaemonProcess.launch().adminPort(adminA).start(dir, "run", "--config", configA.toString())) {
                JsonNode before = awaitUp(a);
                assertEquals("idle", before.path("handover").path("state").asText(), before.toString());
                traffic.connect(proxy, Duration.ofSeconds(60));
                assertTrue(traffic.awaitEveryLiveConnectionMoves(Duration.ofSeconds(30)), "traffic flows through A");
                assertEquals(500, activeConnections(a));

                try (ShortConnections shorts = new ShortConnections(traffic, proxy, 2)) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> shorts.served.get() >= 10);
                    try (DaemonProcess b = DaemonProcess.launch().adminPort(adminB)
                            .start(dir, "run", "--config", configB.toString(), "--takeover", socketA.toString())) {
                        Handovers.awaitHandedOver(a, b, EXIT);
                        int servedWhenAExited = shorts.served.get();
                        awaitUp(b);
                        JsonNode last = awaitLast(b, "done", Duration.ofSeconds(30));
                        assertEquals("received", last.path("role").asText(), last.toString());
                        int moved = last.path("connections").asInt(-1);
                        // 500 streaming connections, plus at most one short one per short-connection thread.
                        assertTrue(moved >= 500 && moved <= 502, "connections handed over: " + last);
                        assertTrue(last.path("listeners").asInt(-1) >= 1, last.toString());

                        // B serves new connections on its own, and the old ones keep streaming through it.
                        await().atMost(Duration.ofSeconds(20)).until(() -> shorts.served.get() >= servedWhenAExited + 20);
                        shorts.close();
                        assertEquals(List.of(), List.copyOf(shorts.failures), "every new connection served");
                        assertEquals(0, traffic.errors().size(), traffic.errors().toString());
                        keepsFlowing(traffic, Duration.ofSeconds(3));

                        StreamingTraffic.Report report = traffic.stop(Duration.ofSeconds(60));
                        assertEquals(List.of(), report.problems(), report.toString());
                        assertEquals(500, report.completed(), report.toString());
                        JsonNode after = Handovers.status(b);
                        assertEquals(b.pid(), after.path("pid").asLong());
                        assertEquals("idle", after.path("handover").path("state").asText(), after.toString());
                        assertEquals(dir.resolve("b.sock").toString(), after.path("handover").path("socket").asText(),
                                "B listens for the next takeover on its own socket: " + after);
                        b.terminate();
                        assertEquals(0, b.awaitExit(EXIT), b.output());
                    }
                }
            }
        }
    }

    @Test
    @Timeout(240)
    void tlsSessionsAndAHalfSentClientHelloMoveToTheNewDaemon() throws Exception {
        String sni = "app.test";
        try (TlsBackend backend = TlsBackend.start(sni)) {
            int port = Ports.freePort();
            int adminA = Ports.freePort();
            int adminB = Ports.freePort();
            Path socketA = dir.resolve("a.sock");
            Path configA = Handovers.tlsConfig(dir, "a.yaml", port, sni, backend.address(), adminA, socketA);
            Path configB = Handovers.tlsConfig(dir, "b.yaml", port, sni, backend.address(), adminB, dir.resolve("b.sock"));
            InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            List<SSLSocket> sessions = new ArrayList<>();
            try (DaemonProcess a = DaemonProcess.launch().adminPort(adminA).start(dir, "run", "--config", configA.toString())) {
                awaitUp(a);
                for (int i = 0; i < 5; i++) {
                    SSLSocket s = TlsClients.open(proxy, sni, List.of(), "TLSv1.3");
                    sessions.add(s);
                    s.startHandshake();
                    assertEquals(sni, Clients.readLine(s));
                    exchange(s, "before " + i);
                }
                Socket raw = Clients.connect(proxy);
                EngineClient half = new EngineClient(raw, sni);
                byte[] hello = half.clientHello();
                int split = hello.length / 2;
                raw.getOutputStream().write(hello, 0, split);
                raw.getOutputStream().flush();
                // Nothing to await: A reads these bytes (or they wait in the socket, which moves too).
                Thread.sleep(300);

                try (DaemonProcess b = DaemonProcess.launch().adminPort(adminB)
                        .start(dir, "run", "--config", configB.toString(), "--takeover", socketA.toString())) {
                    Handovers.awaitHandedOver(a, b, EXIT);
                    awaitUp(b);
                    JsonNode last = awaitLast(b, "done", Duration.ofSeconds(30));
                    int moved = last.path("connections").asInt(-1);
                    assertTrue(moved >= 5 && moved <= 6, "5 sessions and perhaps the sniffing one: " + last);

                    for (int i = 0; i < sessions.size(); i++) {
                        exchange(sessions.get(i), "after " + i);
                    }
                    raw.getOutputStream().write(Arrays.copyOfRange(hello, split, hello.length));
                    raw.getOutputStream().flush();
                    half.finishHandshake();
                    assertEquals(sni, half.peerName(), "the backend's own certificate");
                    assertEquals(sni, half.readLine(), "the backend's greeting");
                    half.write("late hello\n");
                    assertEquals("late hello", half.readLine());
                    raw.close();
                    // New TLS connections go to B.
                    assertEquals(sni, TlsClients.handshake(proxy, sni).certificateName());
                    b.terminate();
                    for (SSLSocket s : sessions) {
                        s.close();
                    }
                    assertEquals(0, b.awaitExit(EXIT), b.output());
                }
            } finally {
                for (SSLSocket s : sessions) {
                    s.close();
                }
            }
        }
    }

    @Test
    @Timeout(420)
    void whenTheNewDaemonDiesHalfwayTheOldOneKeepsWhatItStillHeldAndAcceptsAgain() throws Exception {
        StreamingTraffic.Options slow = new StreamingTraffic.Options(2000, Duration.ofSeconds(1), 64, 512);
        try (StreamingTraffic traffic = StreamingTraffic.start(slow)) {
            int port = Ports.freePort();
            int adminA = Ports.freePort();
            int adminB = Ports.freePort();
            int adminC = Ports.freePort();
            Path socketA = dir.resolve("a.sock");
            Path configA = Handovers.tcpConfig(dir, "a.yaml", port, traffic.backendAddress(), adminA, socketA);
            Path configB = Handovers.tcpConfig(dir, "b.yaml", port, traffic.backendAddress(), adminB, dir.resolve("b.sock"));
            Path configC = Handovers.tcpConfig(dir, "c.yaml", port, traffic.backendAddress(), adminC, dir.resolve("c.sock"));
            InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);

            try (DaemonProcess a = DaemonProcess.launch().adminPort(adminA).start(dir, "run", "--config", configA.toString())) {
                awaitUp(a);
                traffic.connect(proxy, Duration.ofSeconds(120));
                assertTrue(traffic.awaitEveryLiveConnectionMoves(Duration.ofSeconds(30)));
                assertEquals(2000, activeConnections(a));

                try (DaemonProcess b = DaemonProcess.launch().adminPort(adminB)
                        .jvmOption("-Dsluice.handover.test-batch-delay-ms=300")
                        .start(dir, "run", "--config", configB.toString(), "--takeover", socketA.toString())) {
                    try {
                        await("A handing over").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                                .ignoreExceptions()
                                .failFast("A or B exited before the handover could be interrupted (if A finished: raise"
                                        + " sluice.handover.test-batch-delay-ms)", () -> !a.isAlive() || !b.isAlive())
                                .until(() -> "handing-over".equals(handover(a).path("state").asText()));
                    } catch (RuntimeException e) {
                        throw new AssertionError(e.getMessage() + "\n--- A:\n" + a.output() + "\n--- B:\n" + b.output(), e);
                    }
                    b.kill(); // SIGKILL, mid-handover
                }
                assertTrue(a.isAlive(), "A survives its successor's death:\n" + a.output());
                JsonNode last = awaitLast(a, "aborted", Duration.ofSeconds(30));
                assertEquals("sent", last.path("role").asText(), last.toString());

                // The connections B had taken died with it (their clients see EOF or a reset); the
                // others are A's again. Wait until the clients' view and A's count agree.
                await("clients and A agree on the survivors").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> traffic.live() == activeConnections(a));
                assertEquals(List.of(), traffic.corruptions(), "no byte was wrong on any connection, dead or alive");
                int survivors = traffic.live();
                Set<Integer> dead = traffic.ended();
                assertEquals(2000, survivors + dead.size(), "every connection either survived or ended");
                assertTrue(survivors > 0, "A kept the connections not handed over yet (none: raise the batch delay): " + last);
                if (last.has("kept")) {
                    assertEquals(survivors, last.path("kept").asInt(), "A's report of what it kept: " + last);
                }
                assertTrue(traffic.awaitEveryLiveConnectionMoves(Duration.ofSeconds(30)), "survivors stream through A");
                // A accepts again.
                AtomicInteger ids = new AtomicInteger(StreamingTraffic.SHORT_ID_BASE);
                await("A accepts new connections again").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> traffic.shortExchange(proxy, ids.incrementAndGet(), 4096) == null);
                assertNull(traffic.shortExchange(proxy, ids.incrementAndGet(), 4096));
                await().atMost(Duration.ofSeconds(10)).until(() -> activeConnections(a) == survivors);

                // A second takeover, by a healthy daemon, moves the survivors.
                try (DaemonProcess c = DaemonProcess.launch().adminPort(adminC)
                        .start(dir, "run", "--config", configC.toString(), "--takeover", socketA.toString())) {
                    Handovers.awaitHandedOver(a, c, EXIT);
                    awaitUp(c);
                    JsonNode second = awaitLast(c, "done", Duration.ofSeconds(30));
                    assertEquals(survivors, second.path("connections").asInt(-1), second.toString());
                    assertTrue(traffic.awaitEveryLiveConnectionMoves(Duration.ofSeconds(30)), "survivors stream through C");
                    StreamingTraffic.Report report = traffic.stop(Duration.ofSeconds(60));
                    assertEquals(List.of(), report.corruptions(), report.toString());
                    assertEquals(dead, report.ended(), "no connection ended after the first takeover's abort: " + report);
                    assertEquals(survivors, report.completed(), report.toString());
                    c.terminate();
                    assertEquals(0, c.awaitExit(EXIT), c.output());
                }
            }
        }
    }

    /** Traffic keeps moving on every live connection for {@code span} (at most 200 rounds). */
    private static void keepsFlowing(StreamingTraffic traffic, Duration span) throws InterruptedException {
        long end = System.nanoTime() + span.toNanos();
        for (int round = 0; round < 200 && System.nanoTime() < end; round++) {
            assertTrue(traffic.awaitEveryLiveConnectionMoves(Duration.ofSeconds(10)), "round " + round);
        }
    }

    private static void exchange(Socket s, String text) throws Exception {
        s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        assertEquals(text, Clients.readLine(s));
    }

    /**
     * Threads that each open a short connection, exchange a few KiB both ways (checked), close, and
     * again, until closed: at most 5 000 each and 5 minutes.
     */
    private static final class ShortConnections implements AutoCloseable {
        final AtomicInteger served = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger ids = new AtomicInteger(StreamingTraffic.SHORT_ID_BASE + 1000);
        private final List<Thread> threads = new ArrayList<>();

        ShortConnections(StreamingTraffic traffic, InetSocketAddress proxy, int count) {
            long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            for (int t = 0; t < count; t++) {
                Thread thread = new Thread(() -> {
                    for (int i = 0; i < 5000 && running.get() && System.nanoTime() < end; i++) {
                        String failure = traffic.shortExchange(proxy, ids.getAndIncrement(), 2048);
                        if (failure == null) {
                            served.incrementAndGet();
                        } else {
                            failures.add(failure);
                        }
                    }
                }, "short-connections-" + t);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }
}
