package io.sluice.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.EachTransport;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TlsConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Many clients at once in the ClientHello sniff, on every transport, through real sockets: each
 * sends a real ClientHello in pieces, so the sniffer reads on demand (AUTO_READ off, one read()
 * per channelReadComplete) several times per connection while hundreds of others do the same.
 * Every connection must reach the backend its SNI names, with its hello unchanged.
 *
 * <p>Why it exists: an earlier TLS load on io_uring was read as "connections stall in the sniff";
 * the cause was elsewhere (a client's reset lost after the exchange, see
 * {@code io.sluice.transport.IoUringResetTest}), and this test keeps the sniff itself honest on
 * every transport. Bounded: {@link #CONNECTIONS} connections, {@link #CONCURRENT} at a time, and a
 * deadline.
 */
class SniffUnderLoadTest extends EachTransport {

    private static final int CONNECTIONS = 2000;
    private static final int CONCURRENT = 100;
    private static final int PIECES = 3;

    @Test
    void everyClientHelloSentInPiecesUnderLoadIsRouted() throws Exception {
        byte[] hello = ClientHellos.jdkClientHello("app.test", List.of(), "TLSv1.3");
        AtomicInteger intact = new AtomicInteger();
        try (TestBackend backend = TestBackend.with("app", (s, self) -> answerHello(s, hello, intact));
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tls()
                     .route("app.test", "app").pool("app", backend)
                     .clientHelloTimeout(Duration.ofSeconds(5)).build())) {
            Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
            ExecutorService clients = Executors.newFixedThreadPool(CONCURRENT);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            List<Future<?>> running = new ArrayList<>();
            try {
                for (int c = 0; c < CONCURRENT; c++) {
                    running.add(clients.submit(() -> {
                        for (int i = 0; i < CONNECTIONS / CONCURRENT && System.nanoTime() < deadline; i++) {
                            outcomes.computeIfAbsent(oneConnection(daemon, hello), k -> new AtomicInteger()).incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
                assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
            }
            Map<String, Integer> counts = new TreeMap<>();
            outcomes.forEach((k, v) -> counts.put(k, v.get()));
            assertEquals(Map.of("routed", CONNECTIONS), counts, transport + ": outcome of each connection");
            assertEquals(CONNECTIONS, intact.get(), "hellos the backend received unchanged");
        }
    }

    /** One client: the hello in {@link #PIECES} writes about a millisecond apart, then the backend's answer. */
    private static String oneConnection(RunningDaemon daemon, byte[] hello) {
        try (Socket s = Clients.connect(daemon.address())) {
            OutputStream out = s.getOutputStream();
            for (int p = 0; p < PIECES; p++) {
                out.write(hello, hello.length * p / PIECES, hello.length * (p + 1) / PIECES - hello.length * p / PIECES);
                out.flush();
                if (p + 1 < PIECES) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the sniffer sees separate reads
                }
            }
            String answer = Clients.readLine(s);
            return "ok".equals(answer) ? "routed" : "answer " + answer;
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** The backend: reads exactly the hello, compares it, answers "ok". */
    private static void answerHello(Socket s, byte[] hello, AtomicInteger intact) throws IOException {
        s.setSoTimeout(Clients.READ_TIMEOUT_MILLIS);
        InputStream in = s.getInputStream();
        byte[] got = in.readNBytes(hello.length);
        if (Arrays.equals(got, hello)) {
            intact.incrementAndGet();
        }
        s.getOutputStream().write("ok\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }
}
