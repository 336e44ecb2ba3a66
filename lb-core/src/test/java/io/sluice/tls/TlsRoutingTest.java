package io.sluice.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.config.NoSniAction;
import io.sluice.harness.Clients;
import io.sluice.harness.EachRelay;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TlsBackend;
import io.sluice.harness.TlsClients;
import io.sluice.harness.TlsConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SNI routing end to end: real TLS clients, real TLS backends each with its own certificate; the
 * certificate the client receives says which backend answered. Sluice never decrypts. On both
 * relays: the channel relay's sniffer and the socket relay's prelude make the same decisions.
 */
class TlsRoutingTest extends EachRelay {

    static TlsBackend chat;
    static TlsBackend web;
    static TlsBackend api;
    static TlsBackend apiH2;
    static TlsBackend fallback;

    @BeforeAll
    static void backends() throws Exception {
        chat = TlsBackend.start("chat.example.com");
        web = TlsBackend.start("web.example.com");
        api = TlsBackend.start("api.example.com");
        apiH2 = TlsBackend.start("api-h2.example.com", List.of("h2"));
        fallback = TlsBackend.start("fallback.internal");
    }

    @AfterAll
    static void stop() {
        for (TlsBackend b : List.of(chat, web, api, apiH2, fallback)) {
            b.close();
        }
    }

    static TlsConfigs standardRoutes() {
        return TlsConfigs.tls()
                .route("chat.example.com", "chat")
                .route("*.example.com", "web")
                .route("api.example.com", List.of("h2"), "api-h2")
                .route("api.example.com", "api")
                .defaultPool("fallback")
                .pool("chat", chat)
                .pool("web", web)
                .pool("api", api)
                .pool("api-h2", apiH2)
                .pool("fallback", fallback);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void routesByExactNameWildcardAlpnAndDefault(String protocol) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(standardRoutes().build())) {
            InetSocketAddress proxy = daemon.address();
            assertRoutedTo("chat.example.com", TlsClients.handshake(proxy, "chat.example.com", List.of(), protocol), protocol);
            assertRoutedTo("chat.example.com", TlsClients.handshake(proxy, "CHAT.Example.COM", List.of(), protocol), protocol);
            assertRoutedTo("web.example.com", TlsClients.handshake(proxy, "anything.example.com", List.of(), protocol), protocol);
            assertRoutedTo("fallback.internal", TlsClients.handshake(proxy, "a.b.example.com", List.of(), protocol), protocol);
            assertRoutedTo("fallback.internal", TlsClients.handshake(proxy, "example.org", List.of(), protocol), protocol);
            assertRoutedTo("fallback.internal", TlsClients.handshake(proxy, null, List.of(), protocol), protocol);
            assertRoutedTo("api.example.com", TlsClients.handshake(proxy, "api.example.com", List.of("http/1.1"), protocol), protocol);
            TlsClients.Handshake h2 = TlsClients.handshake(proxy, "api.example.com", List.of("h2", "http/1.1"), protocol);
            assertRoutedTo("api-h2.example.com", h2, protocol);
            assertEquals("h2", h2.alpn(), "ALPN negotiated end to end with the backend");
            assertEquals(1, daemon.count("sluice.tls.routed", "listener", "main", "kind", "wildcard"));
            assertEquals(3, daemon.count("sluice.tls.routed", "listener", "main", "kind", "default"));
        }
    }

    private static void assertRoutedTo(String backend, TlsClients.Handshake h, String protocol) {
        assertEquals(backend, h.certificateName(), "certificate of the backend that answered");
        assertEquals(backend, h.greeting(), "the backend's own bytes after the handshake");
        assertEquals(protocol, h.protocol());
    }

    @Test
    void noSniRejectClosesWithUnrecognizedNameAlert() throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(standardRoutes().noSni(NoSniAction.REJECT).build())) {
            byte[] reply = sendRaw(daemon.address(), ClientHellos.jdkClientHello(null, List.of(), "TLSv1.3"), 1);
            assertArrayEquals(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 112}, reply);
            assertEquals(1, daemon.count("sluice.tls.refused", "listener", "main", "reason", "no-route"));
            assertRoutedTo("chat.example.com", TlsClients.handshake(daemon.address(), "chat.example.com"), "TLSv1.3");
        }
    }

    @Test
    void unknownNameWithoutDefaultIsRefusedWithAnAlert() throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tls().route("chat.example.com", "chat").pool("chat", chat).build())) {
            byte[] reply = sendRaw(daemon.address(), ClientHellos.jdkClientHello("other.example.net", List.of(), "TLSv1.3"), 1);
            assertArrayEquals(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 112}, reply);
            assertEquals(1, daemon.count("sluice.tls.refused", "listener", "main", "reason", "no-route"));
        }
    }

    /** The sniffed bytes reach the backend unchanged, however the client split them. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 100, 100_000})
    void everySniffedByteIsReplayedUnchangedWhateverTheTcpSegmentation(int writeSize) throws Exception {
        byte[] hello = ClientHellos.jdkClientHello("chat.example.com", List.of("h2"), "TLSv1.3");
        assertReplayedUnchanged(hello, writeSize);
    }

    @Test
    void aHelloSpreadOverManyTlsRecordsIsRoutedAndReplayed() throws Exception {
        byte[] hello = ClientHellos.reframe(ClientHellos.jdkClientHello("chat.example.com", List.of(), "TLSv1.3"), 64);
        assertReplayedUnchanged(hello, 7);
    }

    @Test
    void anEightKilobyteHelloIsRoutedAndReplayed() throws Exception {
        byte[] big = ClientHellos.withExtension(
                ClientHellos.jdkClientHello("chat.example.com", List.of(), "TLSv1.3"), 21, new byte[7800]);
        assertTrue(big.length > 8000, "hello of " + big.length + " bytes");
        assertReplayedUnchanged(big, 1000);
    }

    /** A plain recorder backend in the route's pool gets the exact bytes; it answers with their count. */
    private static void assertReplayedUnchanged(byte[] hello, int writeSize) throws Exception {
        byte[] trailer = "after-the-hello".getBytes(StandardCharsets.UTF_8);
        CompletableFuture<byte[]> got = new CompletableFuture<>();
        try (TestBackend recorder = TestBackend.with("recorder", (s, self) -> {
                    byte[] in = s.getInputStream().readNBytes(hello.length + trailer.length);
                    got.complete(in);
                    s.getOutputStream().write("ok\n".getBytes(StandardCharsets.UTF_8));
                });
             RunningDaemon daemon = RunningDaemon.start(
                     TlsConfigs.tls().route("chat.example.com", "rec").pool("rec", recorder).build());
             Socket s = Clients.connect(daemon.address())) {
            s.setTcpNoDelay(true);
            for (int off = 0; off < hello.length; off += writeSize) {
                s.getOutputStream().write(hello, off, Math.min(writeSize, hello.length - off));
                s.getOutputStream().flush();
            }
            s.getOutputStream().write(trailer);
            assertEquals("ok", Clients.readLine(s));
            byte[] expected = new byte[hello.length + trailer.length];
            System.arraycopy(hello, 0, expected, 0, hello.length);
            System.arraycopy(trailer, 0, expected, hello.length, trailer.length);
            assertArrayEquals(expected, got.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void encryptedClientHelloIsRoutedOnTheOuterNameAndCounted() throws Exception {
        byte[] ech = ClientHellos.withExtension(
                ClientHellos.jdkClientHello("chat.example.com", List.of(), "TLSv1.3"), 0xfe0d, new byte[] {0, 1, 2, 3, 4, 5});
        try (TestBackend recorder = TestBackend.namedEcho("chat-plain");
             RunningDaemon daemon = RunningDaemon.start(
                     TlsConfigs.tls().route("chat.example.com", "chat").pool("chat", recorder).build());
             Socket s = Clients.connect(daemon.address())) {
            s.getOutputStream().write(ech);
            assertEquals("chat-plain", Clients.readLine(s));
            assertEquals(1, daemon.count("sluice.tls.ech", "listener", "main"));
        }
    }

    @Test
    void badInputGetsItsRefusalAndTheDaemonKeepsServing() throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(standardRoutes().maxClientHello(4096)
                .clientHelloTimeout(Duration.ofMillis(500)).build())) {
            InetSocketAddress proxy = daemon.address();
            // HTTP on a TLS port, not-tls: reject -> closed, nothing written.
            assertArrayEquals(new byte[0], sendRaw(proxy, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0));
            // SSLv2-compatible hello -> closed silently.
            assertArrayEquals(new byte[0], sendRaw(proxy, ClientHellos.sslv2Hello(), 0));
            // Lengths that lie: a handshake header claiming a body that its record cannot hold.
            byte[] liar = ClientHellos.jdkClientHello("chat.example.com", List.of(), "TLSv1.3").clone();
            liar[9] = (byte) 0x30; // session id length 48 > 32
            assertArrayEquals(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 50}, sendRaw(proxy, liar, 1));
            // Too large for max-client-hello 4096.
            byte[] big = ClientHellos.withExtension(
                    ClientHellos.jdkClientHello("chat.example.com", List.of(), "TLSv1.3"), 21, new byte[7800]);
            assertArrayEquals(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40}, sendRaw(proxy, big, 1));
            // Truncated record, then silence -> timeout, closed without a word.
            byte[] hello = ClientHellos.jdkClientHello("chat.example.com", List.of(), "TLSv1.3");
            assertArrayEquals(new byte[0], sendRaw(proxy, Arrays.copyOf(hello, hello.length / 2), 0));
            // Random bytes.
            byte[] noise = new byte[300];
            new Random(7).nextBytes(noise);
            noise[0] = 0x16; // look like TLS for a moment
            noise[1] = 0x03;
            noise[2] = 0x01;
            sendRaw(proxy, noise, -1);
            // A client that sends one byte at a time, slower than the timeout allows.
            try (Socket slow = Clients.connect(proxy)) {
                long start = System.nanoTime();
                int n = 0;
                try {
                    while (n < hello.length && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                        slow.getOutputStream().write(hello[n++]);
                        slow.getOutputStream().flush();
                        Thread.sleep(100);
                    }
                } catch (SocketException closedOnUs) {
                    // expected: the daemon gave up on us
                }
                assertTrue(n < hello.length, "a one-byte-per-100ms client must be cut off by the 500ms timeout");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.count("sluice.tls.refused", "listener", "main", "reason", "timeout") == 2);
            assertEquals(1, daemon.count("sluice.tls.refused", "listener", "main", "reason", "not-tls"));
            assertEquals(1, daemon.count("sluice.tls.refused", "listener", "main", "reason", "sslv2-hello"));
            assertEquals(1, daemon.count("sluice.tls.refused", "listener", "main", "reason", "too-large"));
            assertTrue(daemon.count("sluice.tls.refused", "listener", "main", "reason", "malformed") >= 1);
            // ...and a real client still gets through.
            assertRoutedTo("chat.example.com", TlsClients.handshake(proxy, "chat.example.com"), "TLSv1.3");
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 0);
        }
    }

    @Test
    void plainBytesGoToTheNotTlsPool() throws Exception {
        try (TestBackend plain = TestBackend.namedEcho("plain");
             RunningDaemon daemon = RunningDaemon.start(standardRoutes().notTls("plain").pool("plain", plain).build());
             Socket s = Clients.connect(daemon.address())) {
            s.getOutputStream().write("HELLO plain\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("plain", Clients.readLine(s));
            assertEquals("HELLO plain", Clients.readLine(s), "the sniffed plain bytes are replayed");
            assertEquals(1, daemon.count("sluice.tls.routed", "listener", "main", "kind", "not-tls"));
        }
    }

    @Test
    void aSilentServerFirstClientIsSentToTheNotTlsPoolInsteadOfHanging() throws Exception {
        try (TestBackend smtp = TestBackend.namedEcho("220 smtp.example ready");
             RunningDaemon daemon = RunningDaemon.start(standardRoutes().notTls("smtp").pool("smtp", smtp)
                     .serverFirstTimeout(Duration.ofMillis(200)).build());
             Socket s = Clients.connect(daemon.address())) {
            assertEquals("220 smtp.example ready", Clients.readLine(s), "the server speaks first");
            assertEquals(1, daemon.count("sluice.tls.routed", "listener", "main", "kind", "server-first"));
            // A TLS client on the same listener is unaffected.
            assertRoutedTo("chat.example.com", TlsClients.handshake(daemon.address(), "chat.example.com"), "TLSv1.3");
        }
    }

    /** {@code nc -N host port </dev/null}: no byte, then the FIN. It can only be waiting for the greeting. */
    @Test
    void aServerFirstClientThatHalfClosesAtOnceStillGetsTheGreeting() throws Exception {
        try (TestBackend smtp = TestBackend.namedEcho("220 smtp.example ready");
             RunningDaemon daemon = RunningDaemon.start(standardRoutes().notTls("smtp").pool("smtp", smtp)
                     .serverFirstTimeout(Duration.ofMillis(200)).build());
             Socket s = Clients.connect(daemon.address())) {
            s.shutdownOutput();
            assertEquals("220 smtp.example ready", Clients.readLine(s), "the server speaks first");
            assertEquals(-1, s.getInputStream().read(), "the FIN went on to the server, which then closed");
            assertEquals(1, daemon.count("sluice.tls.routed", "listener", "main", "kind", "server-first"));
        }
    }

    @Test
    void opensslInteropWithSmallRecords() throws Exception {
        Path openssl = Path.of("/usr/bin/openssl");
        assumeTrue(Files.isExecutable(openssl), "openssl not installed");
        try (RunningDaemon daemon = RunningDaemon.start(standardRoutes().build())) {
            Process p = new ProcessBuilder(openssl.toString(), "s_client",
                    "-connect", "127.0.0.1:" + daemon.address().getPort(),
                    "-servername", "chat.example.com", "-max_send_frag", "512")
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close(); // EOF on stdin: s_client quits after the handshake
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "openssl s_client did not finish");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(out.contains("CN = chat.example.com") || out.contains("CN=chat.example.com"), out);
        }
    }

    /**
     * Writes {@code bytes}, then reads what comes back until EOF or reset.
     *
     * @param expect how many bytes to expect back before EOF; -1: anything (just no hang)
     */
    private static byte[] sendRaw(InetSocketAddress proxy, byte[] bytes, int expect) throws IOException {
        try (Socket s = Clients.connect(proxy)) {
            try {
                s.getOutputStream().write(bytes);
            } catch (SocketException alreadyClosed) {
                // the daemon may have refused before we finished writing
            }
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    back.write(buf, 0, n);
                }
            } catch (SocketException reset) {
                // a reset after the alert is fine
            }
            return back.toByteArray();
        }
    }
}
