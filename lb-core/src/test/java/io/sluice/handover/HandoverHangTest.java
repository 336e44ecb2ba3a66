package io.sluice.handover;

import static io.sluice.handover.Handovers.awaitUp;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.harness.Clients;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A new daemon that hangs during a takeover (it stops itself with SIGSTOP at one step of the
 * protocol, as a hung process would) costs at most a short window without an accepting process;
 * afterwards exactly one process serves the shared sockets, and every client connection either
 * works or has been closed in a way its client sees (docs/handover.md, "Deadlines").
 *
 * <p>Both daemons have the same listener and admin address, so the admin socket is handed over
 * too and "who answers /api/v1/status" shows who serves a shared socket.
 */
class HandoverHangTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(3);
    private static final int CLIENTS = 12; // the first batch (4) and a part of the second (8)

    @TempDir
    Path dir;

    @ParameterizedTest(name = "the new daemon stops at {0}")
    @ValueSource(strings = {"welcome", "listeners-taken", "first-ack", "before-bye"})
    @Timeout(180)
    void aHungNewDaemonCostsAShortWindowAndNeverSharesASocket(String step) throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app")) {
            int port = Ports.freePort();
            int adminPort = Ports.freePort();
            Path socket = dir.resolve("a.sock");
            Path configA = config("a.yaml", port, backend, adminPort, socket);
            Path configB = config("b.yaml", port, backend, adminPort, dir.resolve("b.sock"));
            InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            InetSocketAddress admin = new InetSocketAddress(InetAddress.getLoopbackAddress(), adminPort);
            List<Socket> clients = new ArrayList<>();
            try (DaemonProcess a = DaemonProcess.launch().adminPort(adminPort).start(dir, "run", "--config", configA.toString())) {
                awaitUp(a);
                for (int i = 0; i < CLIENTS; i++) {
                    Socket s = Clients.connect(proxy);
                    clients.add(s);
                    assertEquals("app", Clients.readLine(s));
                    Handovers.say(s, "before " + i);
                }
                try (Prober prober = new Prober(proxy);
                     DaemonProcess b = DaemonProcess.launch().adminPort(adminPort)
                             .jvmOption("-Dsluice.handover.test-stop-at=" + step)
                             .start(dir, "run", "--config", configB.toString(), "--takeover", socket.toString())) {
                    await("B stops itself at " + step).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                            .failFast("B exited:\n" + b.output(), () -> !b.isAlive())
                            .until(() -> stopped(b.pid()));
                    await("A gives up on the stopped B").atMost(STEP_TIMEOUT.multipliedBy(3))
                            .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                            .until(() -> a.output().contains("Handover to pid " + b.pid() + " aborted")
                                    || a.output().contains("no BYE from pid " + b.pid())
                                    || a.output().contains("Handover from pid " + b.pid() + " dropped"));
                    // A alone serves new clients and the admin socket while B stays stopped.
                    prober.awaitServed(prober.served() + 20);
                    assertOnlyServedBy(a.pid(), admin, 20);
                    List<Integer> frozen = checkClientsWhileStopped(clients);
                    assertTrue(a.isAlive(), a.output());

                    new ProcessBuilder("kill", "-CONT", Long.toString(b.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
                    for (int i : frozen) {
                        // B acknowledged these before it stopped: they are B's and work again.
                        assertEquals("while B is stopped " + i, Clients.readLine(clients.get(i)));
                        Handovers.say(clients.get(i), "after SIGCONT " + i);
                    }
                    try {
                        await("B lets the listeners go").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                                .until(() -> !b.isAlive() || b.output().contains("the old process serves them again"));
                    } catch (RuntimeException e) {
                        throw new AssertionError(e.getMessage() + "\n--- A:\n" + a.output() + "\n--- B:\n" + b.output(), e);
                    }
                    assertOnlyServedBy(a.pid(), admin, 20);
                    prober.awaitServed(prober.served() + 20);
                    for (Socket s : clients) {
                        s.close();
                    }
                    Integer exit = b.awaitExit(Duration.ofSeconds(30));
                    assertEquals(1, exit, "B exits 1 after a failed takeover:\n" + b.output());
                    assertTrue(b.output().contains("sluice: takeover failed"), b.output());
                    prober.close();
                    assertEquals(List.of(), List.copyOf(prober.failures), "every probe was served");
                    // B may have accepted one probe in the instant between taking the listeners and
                    // hanging: that one waits for B (and works after SIGCONT); it is B's, not a gap.
                    assertTrue(prober.stuck.get() <= 1, prober.stuck + " probes stuck in B");
                    long window = prober.longestMillis.get();
                    System.out.printf("handover hang at %s: longest wait for an accepting process %d ms over %d probes%n",
                            step, window, prober.served());
                    assertTrue(window < STEP_TIMEOUT.toMillis(),
                            "longest wait for an accepting process: " + window + " ms\n--- A:\n" + a.output());
                    if (step.equals("first-ack") || step.equals("before-bye")) {
                        assertTrue(!frozen.isEmpty(), "B had adopted connections before it stopped");
                    } else {
                        assertEquals(List.of(), frozen, "B had adopted nothing");
                    }
                }
                assertTrue(a.isAlive(), "A keeps serving:\n" + a.output());
                assertEquals(a.pid(), Handovers.status(a).path("pid").asLong());
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }

    /**
     * Every client A still serves echoes; a client A took back after the abort (its descriptors went
     * to B) gets its EOF when it half-closes, though B still holds copies. Returns the clients that
     * do not answer: those B adopted before it stopped.
     */
    private static List<Integer> checkClientsWhileStopped(List<Socket> clients) throws IOException {
        List<Integer> frozen = new ArrayList<>();
        List<Integer> working = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            Socket s = clients.get(i);
            s.setSoTimeout(1500);
            try {
                Handovers.say(s, "while B is stopped " + i);
                working.add(i);
            } catch (SocketTimeoutException e) {
                frozen.add(i);
            } finally {
                s.setSoTimeout(Clients.READ_TIMEOUT_MILLIS);
            }
        }
        // Half of A's connections end now: the client's FIN goes to the backend, which ends its side,
        // and the client must see its EOF (not wait for B, which holds a copy of the socket).
        for (int k = 0; k < working.size(); k += 2) {
            Socket s = clients.get(working.get(k));
            s.shutdownOutput();
            s.setSoTimeout(5000);
            assertEquals(-1, readToEnd(s), "client " + working.get(k) + " sees the end of its connection");
        }
        return frozen;
    }

    private static int readToEnd(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
            }
        } catch (SocketException reset) {
            return -1; // a reset is an end the client sees too
        }
    }

    /** {@code count} fresh admin connections (no keep-alive) all answered by {@code pid}. */
    private static void assertOnlyServedBy(long pid, InetSocketAddress admin, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            try (Socket s = Clients.connect(admin)) {
                s.getOutputStream().write(("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                JsonNode status = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
                assertEquals(pid, status.path("pid").asLong(), "request " + i + " answered by " + status.path("pid"));
            }
        }
    }

    private static boolean stopped(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
    }

    private Path config(String name, int port, TestBackend backend, int admin, Path socket) throws IOException {
        return DaemonProcess.writeConfig(dir, name, """
                listeners:
                  - { name: edge, bind: 127.0.0.1:%d, pool: app }
                pools:
                  app:
                    health: { type: none }
                    backends:
                      - { name: app, address: 127.0.0.1:%d }
                admin: { bind: 127.0.0.1:%d }
                timeouts: { shutdown-grace: 2s }
                handover: { socket: "%s", step-timeout: %ds, accept-timeout: 500ms }
                """.formatted(port, backend.address().getPort(), admin, socket, STEP_TIMEOUT.toSeconds()));
    }

    /**
     * One thread that connects, reads the backend's greeting and closes, again and again (at most
     * 20 000 times and 3 minutes): the longest of these is the longest a client waited for an
     * accepting process.
     */
    private static final class Prober implements AutoCloseable {
        final AtomicLong longestMillis = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong stuck = new AtomicLong();
        private final AtomicLong served = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Prober(InetSocketAddress proxy) {
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            thread = new Thread(() -> {
                for (int i = 0; i < 20_000 && running.get() && System.nanoTime() < end; i++) {
                    long t0 = System.nanoTime();
                    try (Socket s = Clients.connect(proxy)) {
                        s.setSoTimeout((int) STEP_TIMEOUT.toMillis() + 1000);
                        String greeting = Clients.readLine(s);
                        if (!"app".equals(greeting)) {
                            failures.add("probe " + i + ": greeting " + greeting);
                            continue;
                        }
                        served.incrementAndGet();
                    } catch (SocketTimeoutException e) {
                        stuck.incrementAndGet();
                        continue;
                    } catch (IOException e) {
                        failures.add("probe " + i + ": " + e);
                    }
                    longestMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), Math::max);
                    try {
                        Thread.sleep(10); // about 100 probes a second: enough to see a gap, not a load test
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "prober");
            thread.setDaemon(true);
            thread.start();
        }

        long served() {
            return served.get();
        }

        void awaitServed(long n) {
            await("probes served").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> served.get() >= n);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(20_000);
        }
    }
}
