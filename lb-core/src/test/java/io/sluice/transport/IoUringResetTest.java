package io.sluice.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.uring.IoUring;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import io.sluice.proxy.Connection;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client's reset that arrives together with its last bytes, on the io_uring transport, through
 * real sockets (see {@link IoUringLevelPoll} and docs/performance.md, "io_uring").
 *
 * <p>Netty's default (multishot polls) is shown in a child JVM, since Netty reads the switch once
 * per process and this one has Sluice's setting: it keeps every such connection open. With
 * Sluice's setting the same run closes all of them, and the daemon frees the connections of
 * clients that reset after their last bytes.
 */
class IoUringResetTest {

    private static final int CLIENTS = 20;

    @BeforeEach
    void needsIoUring() {
        assumeTrue(Transport.IO_URING.isAvailable(), "io_uring is not available here");
    }

    @AfterEach
    void defaultTransport() {
        System.clearProperty("sluice.transport");
    }

    /**
     * The reproducer of Netty's defect, with Netty's default: if this fails, Netty no longer loses
     * the reset, and IoUringLevelPoll can go (after measuring multishot against one-shot polls).
     */
    @Test
    void nettyMultishotPollsLoseAResetThatCameWithTheLastBytes() throws Exception {
        String output = runReproducerInChildJvm();
        assertTrue(output.contains("io_uring: " + CLIENTS + " clients sent bytes then a reset; the server closed 0, still holds "
                + CLIENTS + " (reset lost)"), output);
    }

    @Test
    void sluiceOneShotPollsNoticeEveryReset() throws Exception {
        assertTrue(IoUringLevelPoll.inEffect(), "Transport's class initialiser asked Netty for one-shot polls");
        assertFalse(IoUring.isPollAddMultishotEnabled());
        IoUringResetReproducer.Outcome outcome = IoUringResetReproducer.run("io_uring", CLIENTS);
        assertEquals(new IoUringResetReproducer.Outcome("io_uring", CLIENTS, CLIENTS, 0), outcome);
    }

    /**
     * Through the daemon: clients exchange bytes with the backend, then, while the daemon's event
     * loops are held busy, each sends a last few bytes and resets, so the loops find the bytes and
     * the reset together, as in the reproducer. Every connection must end; with multishot polls
     * none did (they stayed open until the idle timeout).
     */
    @Test
    void theDaemonFreesConnectionsOfClientsThatReset() throws Exception {
        System.setProperty("sluice.transport", "io_uring");
        try (TestBackend backend = TestBackend.with("echo", IoUringResetTest::answerOnceThenListen);
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend))) {
            assertEquals(Transport.IO_URING, daemon.daemon().transport());
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    Socket s = Clients.connect(daemon.address());
                    clients.add(s);
                    s.setSoLinger(true, 0); // close() sends RST
                    assertEquals("echo", Clients.readLine(s));
                    s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("ping", Clients.readLine(s));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> daemon.daemon().connections().size() == CLIENTS);
                try (HeldLoops held = HeldLoops.of(daemon.daemon().connections().all())) {
                    for (Socket s : clients) {
                        s.getOutputStream().write(new byte[24]); // the last bytes, then the reset
                        s.close();
                    }
                }
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> daemon.daemon().connections().size() == 0);
        }
    }

    /**
     * Greets, echoes one line, then only reads: nothing written back after the clients' last bytes
     * (a write to a reset socket would fail and close the connection, hiding a lost reset).
     */
    private static void answerOnceThenListen(Socket s, TestBackend self) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("echo\n".getBytes(StandardCharsets.US_ASCII));
        out.write((Clients.readLine(s) + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        s.getInputStream().transferTo(OutputStream.nullOutputStream());
    }

    /** The event loops of some connections, each held busy by a task until close() (at most 10 s). */
    private static final class HeldLoops implements AutoCloseable {
        private final CountDownLatch release = new CountDownLatch(1);

        static HeldLoops of(List<Connection> connections) throws InterruptedException {
            HeldLoops held = new HeldLoops();
            Set<EventLoop> loops = new HashSet<>();
            for (Connection c : connections) {
                loops.add(c.loop());
            }
            CountDownLatch running = new CountDownLatch(loops.size());
            for (EventLoop loop : loops) {
                loop.execute(() -> {
                    running.countDown();
                    try {
                        held.release.await(10, TimeUnit.SECONDS); // bounded: a failure must not leave the loop stuck
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(running.await(10, TimeUnit.SECONDS), "the daemon's event loops run the holding tasks");
            return held;
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    private static String runReproducerInChildJvm() throws Exception {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                IoUringResetReproducer.class.getName(), "io_uring", String.valueOf(CLIENTS))
                .redirectErrorStream(true).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the reproducer finished");
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }
}
