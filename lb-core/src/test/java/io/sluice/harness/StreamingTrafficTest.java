package io.sluice.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The streaming harness itself: clean when nothing is in the way, and it notices one lost byte. */
class StreamingTrafficTest {

    private static final StreamingTraffic.Options SMALL =
            new StreamingTraffic.Options(20, Duration.ofMillis(10), 100, 3000);

    @Test
    void directToTheBackendEveryByteArrivesOnce() throws Exception {
        try (StreamingTraffic t = StreamingTraffic.start(SMALL)) {
            t.connect(t.backendAddress(), Duration.ofSeconds(10));
            for (int i = 0; i < 5; i++) {
                assertTrue(t.awaitEveryLiveConnectionMoves(Duration.ofSeconds(10)));
            }
            assertNull(t.shortExchange(t.backendAddress(), StreamingTraffic.SHORT_ID_BASE, 5000));
            StreamingTraffic.Report r = t.stop(Duration.ofSeconds(10));
            assertTrue(r.problems().isEmpty(), r.toString());
            assertEquals(20, r.completed(), r.toString());
            assertTrue(r.bytesUp() > 0 && r.bytesDown() > 0, r.toString());
        }
    }

    @Test
    void fiveHundredConnectionsThroughTheDaemon() throws Exception {
        try (StreamingTraffic t = StreamingTraffic.start(StreamingTraffic.Options.defaults());
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder()
                     .backend("stream", t.backendAddress(), 100))) {
            t.connect(daemon.address(), Duration.ofSeconds(60));
            for (int i = 0; i < 3; i++) {
                assertTrue(t.awaitEveryLiveConnectionMoves(Duration.ofSeconds(20)), t.errors().toString());
            }
            StreamingTraffic.Report r = t.stop(Duration.ofSeconds(30));
            assertTrue(r.problems().isEmpty(), r.toString());
            assertEquals(500, r.completed(), r.toString());
        }
    }

    @Test
    void aRelayThatDropsOneByteIsCaughtAtThatOffset() throws Exception {
        try (StreamingTraffic t = StreamingTraffic.start(new StreamingTraffic.Options(1, Duration.ofMillis(5), 500, 500));
             DroppingRelay relay = new DroppingRelay(t.backendAddress(), 1000)) {
            t.connect(relay.address(), Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (t.corruptions().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, t.corruptions().size(), t.errors().toString());
            String c = t.corruptions().get(0);
            assertTrue(c.contains("connection 0 (backend end): byte 1000 "), c);
            assertFalse(t.stop(Duration.ofSeconds(5)).problems().isEmpty());
        }
    }

    /** Relays one connection, client to server, leaving out the byte at {@code dropAt} of the stream (after the id). */
    private static final class DroppingRelay implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final Thread thread;

        DroppingRelay(InetSocketAddress target, long dropAt) throws IOException {
            thread = new Thread(() -> {
                try (Socket in = server.accept(); Socket out = new Socket(target.getAddress(), target.getPort())) {
                    Thread back = new Thread(() -> copy(out, in, -1));
                    back.setDaemon(true);
                    back.start();
                    copy(in, out, dropAt + 4);
                } catch (IOException ignored) {
                    // closed
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        private static void copy(Socket from, Socket to, long dropAt) {
            try {
                InputStream i = from.getInputStream();
                OutputStream o = to.getOutputStream();
                long offset = 0;
                int b;
                while ((b = i.read()) >= 0) {
                    if (offset++ != dropAt) {
                        o.write(b);
                    }
                }
            } catch (IOException ignored) {
                // closed
            }
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
