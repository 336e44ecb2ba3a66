package io.sluice.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.EachTransport;
import io.sluice.harness.ExceptionRecording;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import io.sluice.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bytes through the daemon over real loopback sockets: integrity, concurrency, half-close, aborts,
 * idle timeout. Every test runs on each transport (io_uring, epoll, NIO) the machine has: they
 * differ exactly where a proxy is fragile (half-close, resets, re-arming reads), and the default
 * is whichever is available, so each must be held to the same behaviour.
 */
class RelayTest extends EachTransport {

    private static final long HUNDRED_MIB = 100L * 1024 * 1024;

    /** Writes {@code length} seeded pseudo-random bytes and returns their SHA-256. */
    static byte[] writeRandom(OutputStream out, long length, long seed) throws IOException {
        MessageDigest sha = sha256();
        Random random = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            random.nextBytes(chunk);
            int n = (int) Math.min(chunk.length, left);
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
            left -= n;
        }
        out.flush();
        return sha.digest();
    }

    /** Reads to EOF; returns {SHA-256, length as 8 bytes}. */
    static Digest readAll(InputStream in) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            sha.update(buf, 0, n);
            total += n;
        }
        return new Digest(sha.digest(), total);
    }

    record Digest(byte[] sha256, long length) {}

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void hundredMebibytesEachWayArriveUnchanged() throws Exception {
        CompletableFuture<Digest> backendReceived = new CompletableFuture<>();
        CompletableFuture<byte[]> backendSent = new CompletableFuture<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (TestBackend backend = TestBackend.with("sink", (s, self) -> {
                    Future<Digest> reading = pool.submit(() -> readAll(s.getInputStream()));
                    backendSent.complete(writeRandom(s.getOutputStream(), HUNDRED_MIB, 2));
                    s.shutdownOutput();
                    try {
                        backendReceived.complete(reading.get(60, TimeUnit.SECONDS));
                    } catch (Exception e) {
                        backendReceived.completeExceptionally(e);
                    }
                });
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend));
             Socket client = Clients.connect(daemon.address())) {
            Future<Digest> clientReceived = pool.submit(() -> readAll(client.getInputStream()));
            byte[] clientSent = writeRandom(client.getOutputStream(), HUNDRED_MIB, 1);
            client.shutdownOutput(); // half-close: the backend must still be able to answer

            Digest down = clientReceived.get(60, TimeUnit.SECONDS);
            Digest up = backendReceived.get(60, TimeUnit.SECONDS);
            assertEquals(HUNDRED_MIB, up.length());
            assertEquals(HUNDRED_MIB, down.length());
            assertArrayEquals(clientSent, up.sha256(), "client -> backend bytes changed");
            assertArrayEquals(backendSent.get(), down.sha256(), "backend -> client bytes changed");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyConcurrentConnectionsEachGetTheirOwnBytesBack() throws Exception {
        int connections = 200;
        ExecutorService pool = Executors.newFixedThreadPool(50);
        ExecutorService readers = Executors.newFixedThreadPool(50);
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b))) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                long seed = i;
                results.add(pool.submit(() -> {
                    try (Socket s = Clients.connect(daemon.address())) {
                        String name = Clients.readLine(s);
                        byte[] payload = new byte[64 * 1024];
                        new Random(seed).nextBytes(payload);
                        Future<byte[]> echoed = readers.submit(() -> s.getInputStream().readNBytes(payload.length));
                        s.getOutputStream().write(payload);
                        s.getOutputStream().flush();
                        byte[] back = echoed.get(30, TimeUnit.SECONDS);
                        return (name.equals("a") || name.equals("b")) && Arrays.equals(payload, back);
                    }
                }));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get(60, TimeUnit.SECONDS));
            }
            assertEquals(connections, a.accepted() + b.accepted());
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 0);
        } finally {
            pool.shutdownNow();
            readers.shutdownNow();
        }
    }

    @Test
    void clientHalfCloseReachesTheBackendAndTheAnswerStillFlows() throws Exception {
        // The backend reads until EOF, then answers with what it counted and closes.
        try (TestBackend backend = TestBackend.with("counter", (s, self) -> {
                    long n = s.getInputStream().readAllBytes().length;
                    s.getOutputStream().write(("got " + n + "\n").getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                });
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend));
             Socket client = Clients.connect(daemon.address())) {
            client.getOutputStream().write(new byte[12345]);
            client.shutdownOutput();
            assertEquals("got 12345", Clients.readLine(client));
            assertEquals(-1, client.getInputStream().read(), "backend's close must reach the client");
        }
    }

    @Test
    void aDownloadAfterTheClientsFinReachesASlowReaderWhole() throws Exception {
        // The client sends its request and FIN at once (HTTP/1.0 clients, `nc -N`), then reads a
        // download slowly: the proxy must wait for the client's socket to drain again after the
        // client's input is shut down, and deliver every byte before its own FIN.
        long size = 32L * 1024 * 1024;
        CompletableFuture<byte[]> backendSent = new CompletableFuture<>();
        try (TestBackend backend = TestBackend.with("download", (s, self) -> {
                    s.getInputStream().readAllBytes(); // until the client's FIN has passed the proxy
                    backendSent.complete(writeRandom(s.getOutputStream(), size, 3));
                });
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend));
             Socket client = Clients.connect(daemon.address())) {
            client.setReceiveBufferSize(64 * 1024);
            client.getOutputStream().write("GET /video\n".getBytes(StandardCharsets.UTF_8));
            client.shutdownOutput();
            Thread.sleep(500); // the proxy's queue to this client fills while nobody reads
            Digest down = readAll(client.getInputStream());
            assertEquals(size, down.length());
            assertArrayEquals(backendSent.get(10, TimeUnit.SECONDS), down.sha256(), "backend -> client bytes changed");
        }
    }

    @Test
    void backendHalfCloseReachesTheClientAndTheClientCanStillSend() throws Exception {
        CompletableFuture<String> backendGot = new CompletableFuture<>();
        try (TestBackend backend = TestBackend.with("early-closer", (s, self) -> {
                    s.getOutputStream().write("bye\n".getBytes(StandardCharsets.UTF_8));
                    s.shutdownOutput(); // FIN first, keep reading
                    backendGot.complete(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                });
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend));
             Socket client = Clients.connect(daemon.address())) {
            assertEquals("bye", Clients.readLine(client));
            assertEquals(-1, client.getInputStream().read(), "backend FIN must reach the client as EOF");
            client.getOutputStream().write("still here".getBytes(StandardCharsets.UTF_8));
            client.shutdownOutput();
            assertEquals("still here", backendGot.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void backendAbortMidStreamClosesTheClient() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("crasher");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend));
             Socket client = Clients.connect(daemon.address())) {
            assertEquals("crasher", Clients.readLine(client));
            client.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("ping", Clients.readLine(client));
            backend.abortAll();
            // Reset propagates: the next read ends with EOF or a reset, never a timeout.
            long start = System.nanoTime();
            try {
                assertEquals(-1, client.getInputStream().read());
            } catch (SocketException reset) {
                // "Connection reset": what we send for a backend abort
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(Clients.READ_TIMEOUT_MILLIS / 1000 - 1));
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> daemon.count("sluice.connections.closed", "listener", "main", "reason", "backend-abort") == 1);
        }
    }

    @Test
    void clientAbortClosesTheBackendConnection() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("victim");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend))) {
            Socket client = Clients.connect(daemon.address());
            assertEquals("victim", Clients.readLine(client));
            await().until(() -> backend.openConnections() == 1);
            client.setSoLinger(true, 0);
            client.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 0);
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> daemon.count("sluice.connections.closed", "listener", "main", "reason", "client-abort") == 1);
        }
    }

    @Test
    void idleTimeoutClosesBothSides() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("sleepy");
             RunningDaemon daemon = RunningDaemon.start(
                     TestConfigs.builder().backend(backend).idle(Duration.ofMillis(300)));
             Socket client = Clients.connect(daemon.address())) {
            assertEquals("sleepy", Clients.readLine(client));
            assertEquals(-1, client.getInputStream().read(), "idle connection must be closed");
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 0);
            assertEquals(1, daemon.count("sluice.connections.closed", "listener", "main", "reason", "idle-timeout"));
        }
    }

    @Test
    void trafficKeepsAConnectionFromIdlingOut() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("chatty");
             RunningDaemon daemon = RunningDaemon.start(
                     TestConfigs.builder().backend(backend).idle(Duration.ofMillis(400)));
             Socket client = Clients.connect(daemon.address())) {
            assertEquals("chatty", Clients.readLine(client));
            for (int i = 0; i < 8; i++) { // 8 x 150 ms = well past the idle timeout in total
                Thread.sleep(150);
                client.getOutputStream().write(("m" + i + "\n").getBytes(StandardCharsets.UTF_8));
                assertEquals("m" + i, Clients.readLine(client));
            }
        }
    }

    @Test
    void onlyTheIdleConnectionsOfAPopulationAreClosed() throws Exception {
        // One sweeper per event loop watches every connection: idle ones go, talking ones stay,
        // whatever their order in its list.
        try (TestBackend backend = TestBackend.namedEcho("mixed");
             RunningDaemon daemon = RunningDaemon.start(
                     TestConfigs.builder().backend(backend).idle(Duration.ofMillis(400)))) {
            List<Socket> talking = new ArrayList<>();
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    Socket s = Clients.connect(daemon.address());
                    assertEquals("mixed", Clients.readLine(s));
                    (i % 2 == 0 ? talking : silent).add(s);
                }
                for (int round = 0; round < 8; round++) { // 8 x 150 ms: twice the idle timeout
                    Thread.sleep(150);
                    for (Socket s : talking) {
                        s.getOutputStream().write(("r" + round + "\n").getBytes(StandardCharsets.UTF_8));
                        assertEquals("r" + round, Clients.readLine(s));
                    }
                }
                for (Socket s : silent) {
                    s.setSoTimeout(5000);
                    assertEquals(-1, s.getInputStream().read(), "a silent connection must be closed");
                }
                for (Socket s : talking) {
                    s.getOutputStream().write("still\n".getBytes(StandardCharsets.UTF_8));
                    assertEquals("still", Clients.readLine(s));
                }
                assertEquals(10, daemon.count("sluice.connections.closed", "listener", "main", "reason", "idle-timeout"));
            } finally {
                for (Socket s : talking) {
                    s.close();
                }
                for (Socket s : silent) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aSlowReaderDrainingADownloadIsNotIdle() throws Exception {
        // NIO has no TCP_INFO to ask (see IdleSweeper): there the read flag alone decides, and a
        // download parked in kernel buffers for longer than the idle timeout is cut. Documented.
        assumeTrue(transport != Transport.NIO, "the NIO fallback cannot see kernel-side progress");
        // The backend writes 8 MiB at once and closes; the client takes over a second (several idle
        // timeouts) to read it. Most of it waits in kernel buffers, where Netty sees no event for
        // hundreds of milliseconds, yet the connection is busy: it must not be closed as idle. And
        // the backend's early FIN must reach the client as a clean end after the last byte (this
        // once became a reset: re-arming reads on the finished backend socket failed in epoll).
        long size = 8L * 1024 * 1024;
        try (TestBackend backend = TestBackend.with("blob", (s, self) -> {
                 writeRandom(s.getOutputStream(), size, 7);
                 s.close();
             });
             RunningDaemon daemon = RunningDaemon.start(
                     TestConfigs.builder().backend(backend).idle(Duration.ofMillis(300)));
             Socket client = Clients.connect(daemon.address())) {
            client.setReceiveBufferSize(16 * 1024);
            InputStream in = client.getInputStream();
            byte[] buf = new byte[16 * 1024];
            long total = 0;
            int reads = 0;
            int n;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((n = in.read(buf)) >= 0 && System.nanoTime() < deadline) {
                total += n;
                if (++reads % 8 == 0) {
                    Thread.sleep(20); // at least 512 reads: 64+ pauses of 20 ms, over 1.2 s in all
                }
            }
            assertEquals(size, total, "the whole download arrives");
            assertEquals(0, daemon.count("sluice.connections.closed", "listener", "main", "reason", "idle-timeout"));
        }
    }

    @Test
    void writesToAClosedProxyConnectionFailCleanly() throws Exception {
        try (TestBackend backend = TestBackend.with("closer", (s, self) -> s.close());
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend));
             Socket client = Clients.connect(daemon.address())) {
            assertEquals(-1, client.getInputStream().read());
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    client.getOutputStream().write(new byte[65536]);
                    Thread.sleep(10);
                }
            });
        }
    }

    /**
     * One request and answer per connection, as under connection churn: the backend's FIN first
     * (an HTTP server answering {@code Connection: close}), then the client's FIN first. Every
     * client gets the answer and an end of stream (not a reset), the access log's close reason
     * says who finished first, and on epoll the relay's close path builds none of the exceptions
     * Netty's half-close and close paths built per connection before (docs/performance.md, "Round 3").
     */
    @Test
    void requestResponseConnectionsEndCleanlyWhoeverClosesFirst() throws Exception {
        int each = 20;
        try (TestBackend backend = TestBackend.with("answerer", (s, self) -> {
                    String request = Clients.readLine(s);
                    if ("after-fin".equals(request)) {
                        s.getInputStream().readAllBytes(); // until the client's FIN has passed the proxy
                    }
                    s.getOutputStream().write("ok\n".getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                    s.close();
                });
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend));
             ExceptionRecording exceptions = ExceptionRecording.start()) {
            for (int i = 0; i < each; i++) {
                try (Socket client = Clients.connect(daemon.address())) {
                    client.getOutputStream().write("now\n".getBytes(StandardCharsets.UTF_8));
                    assertEquals("ok", Clients.readLine(client));
                    assertEquals(-1, client.getInputStream().read(), "the backend's FIN must reach the client");
                }
                try (Socket client = Clients.connect(daemon.address())) {
                    client.getOutputStream().write("after-fin\n".getBytes(StandardCharsets.UTF_8));
                    client.shutdownOutput();
                    assertEquals("ok", Clients.readLine(client));
                    assertEquals(-1, client.getInputStream().read(), "the backend's FIN must reach the client");
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> daemon.count("sluice.connections.closed",
                    "listener", "main", "reason", "backend-close") == each
                    && daemon.count("sluice.connections.closed", "listener", "main", "reason", "client-close") == each);
            List<ExceptionRecording.Thrown> thrown = exceptions.stop("sluice-io-");
            if (transport == Transport.EPOLL) {
                List<String> withStackTraces = thrown.stream().filter(ExceptionRecording.Thrown::fromNettyIo)
                        .map(ExceptionRecording.Thrown::type).toList();
                assertEquals(List.of(), withStackTraces, "exceptions built on the event loop: " + thrown);
            }
        }
    }
}
