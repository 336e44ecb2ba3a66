package io.sluice.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ProxyProtocolVersion;
import io.sluice.config.SluiceConfig;
import io.sluice.harness.Clients;
import io.sluice.harness.Ports;
import io.sluice.harness.ProxyProtocolBackend;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.SilentBackend;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import io.sluice.harness.TlsBackend;
import io.sluice.harness.TlsClients;
import io.sluice.harness.TlsConfigs;
import io.sluice.proxyprotocol.ProxyHeaders;
import io.sluice.tls.ClientHellos;
import io.sluice.transport.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which relay serves which listener under the {@code epoll-sockets} transport: tcp and tls
 * listeners' connections are {@link SocketConnection}s, a listener that reads a trusted PROXY
 * header keeps channels; and what the socket relay does before a tls connection's backend is
 * connected, where it differs from channels. How the relays behave is held equal by the suites that run on both
 * ({@code EachTransport}, {@code EachRelay}).
 */
class SocketRelayTest {

    @BeforeEach
    void useSocketRelay() {
        assumeTrue(Transport.EPOLL_SOCKETS.isAvailable(), "epoll is not available here");
        System.setProperty("sluice.transport", "epoll-sockets");
    }

    @AfterEach
    void defaultTransport() {
        System.clearProperty("sluice.transport");
    }

    @Test
    void aTcpListenersConnectionsAreRelayedOnTheirSockets() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("echo");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend));
             Socket s = Clients.connect(daemon.address())) {
            assertEquals("echo", Clients.readLine(s));
            assertEquals(1, daemon.daemon().connections().size());
            SocketConnection relayed = assertInstanceOf(SocketConnection.class, daemon.daemon().connections().all().get(0));
            // Small messages must not wait for Nagle's algorithm; dead peers are found by keep-alive probes.
            // The client's socket inherits both from the listening socket (no setsockopt per client).
            assertTrue(relayed.clientSocket().isTcpNoDelay(), "TCP_NODELAY on the client's socket");
            assertTrue(relayed.clientSocket().isKeepAlive(), "SO_KEEPALIVE on the client's socket");
            assertTrue(relayed.backendSocket().isTcpNoDelay(), "TCP_NODELAY on the backend's socket");
            assertTrue(relayed.backendSocket().isKeepAlive(), "SO_KEEPALIVE on the backend's socket");
        }
    }

    @Test
    void aTlsListenersConnectionsAreRelayedOnTheirSockets() throws Exception {
        try (TlsBackend backend = TlsBackend.start("app.test");
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tls().route("app.test", "tls").pool("tls", backend).build());
             SSLSocket s = TlsClients.open(daemon.address(), "app.test", List.of(), "TLSv1.3")) {
            s.startHandshake();
            assertEquals("app.test", Clients.readLine(s), "the backend's greeting, through the TLS session");
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertEquals("ping", Clients.readLine(s));
            SocketConnection relayed = assertInstanceOf(SocketConnection.class, daemon.daemon().connections().all().get(0));
            assertEquals("app.test", relayed.serverName());
            assertTrue(relayed.clientSocket().isTcpNoDelay(), "TCP_NODELAY on the client's socket");
            assertTrue(relayed.backendSocket().isKeepAlive(), "SO_KEEPALIVE on the backend's socket");
        }
    }

    /** Channels wait for the hello timeout here; a socket reads the FIN, and a hello cut short can never complete. */
    @Test
    void aClientThatEndsItsHelloHalfWayIsClosedAtOnceNotAtTheHelloTimeout() throws Exception {
        byte[] hello = ClientHellos.jdkClientHello("app.test", List.of(), "TLSv1.3");
        try (TestBackend backend = TestBackend.namedEcho("app.test");
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tls().route("app.test", "tls").pool("tls", backend)
                     .clientHelloTimeout(Duration.ofMinutes(5)).build());
             Socket s = Clients.connect(daemon.address())) {
            s.getOutputStream().write(Arrays.copyOf(hello, hello.length / 2));
            s.shutdownOutput();
            assertEquals(-1, s.getInputStream().read(), "closed without a word, long before the 5-minute hello timeout");
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 0);
            assertEquals(0, daemon.count("sluice.tls.refused", "listener", "main", "reason", "timeout"));
            assertEquals(0, backend.accepted(), "no backend was connected");
        }
    }

    /**
     * Nothing is held for a backend that may never answer: once the hello names a pool, what the
     * client sends next waits in the kernel until its backend is connected (here: never).
     */
    @Test
    void aTlsClientIsNotReadBeyondItsHelloWhileItsBackendConnects() throws Exception {
        byte[] hello = ClientHellos.jdkClientHello("app.test", List.of(), "TLSv1.3");
        try (SilentBackend silent = SilentBackend.open();
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tls().route("app.test", "tls").pool("tls", silent).build());
             Socket s = Clients.connect(daemon.address())) {
            s.getOutputStream().write(hello);
            s.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 1
                    && daemon.daemon().connections().all().get(0).pool() != null);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(new byte[128 * 1024]);
                } catch (IOException closed) {
                    // the test ended and closed the socket while the kernel's buffers were full
                }
            }, "client-writer");
            writer.setDaemon(true);
            writer.start();
            writer.join(2000); // bounded: the kernel takes all of it or blocks the writer
            SocketConnection connecting = assertInstanceOf(SocketConnection.class, daemon.daemon().connections().all().get(0));
            assertEquals(null, connecting.backend(), "still connecting");
            assertEquals(hello.length, connecting.loop().submit(() -> connecting.prelude.heldBytes()).get(),
                    "only the hello was read and held; the rest waits in the kernel");
            assertEquals(hello.length, connecting.bytesUp(), "the held bytes are counted");
        }
    }

    /** Bytes after the decision and the client's FIN, both before the backend is connected, reach it in order. */
    @Test
    void whatTheClientSendsWhileItsBackendConnectsGoesOnAfterTheHelloAndSoDoesItsFin() throws Exception {
        try (TestBackend plain = TestBackend.namedEcho("plain");
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tls().route("app.test", "tls").notTls("plain")
                     .pool("plain", plain).pool("tls", plain).build());
             Socket s = Clients.connect(daemon.address())) {
            s.getOutputStream().write("HELLO plain\nsecond line\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertEquals("plain", Clients.readLine(s));
            assertEquals("HELLO plain", Clients.readLine(s));
            assertEquals("second line", Clients.readLine(s));
            assertEquals(-1, s.getInputStream().read(), "the client's FIN reached the backend, which then closed");
        }
    }

    @Test
    void aListenerThatReadsAPreludeKeepsChannels() throws Exception {
        ProxyProtocolBackend backend = new ProxyProtocolBackend("pp");
        try (backend;
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tcp("pp").acceptProxyProtocol("127.0.0.1/32")
                     .pool("pp", BalanceAlgorithm.ROUND_ROBIN, ProxyProtocolVersion.V1, backend).build());
             Socket s = Clients.connect(daemon.address())) {
            sendProxyHeader(s);
            assertEquals("pp 198.51.100.7:40000", Clients.readLine(s));
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 1);
            assertInstanceOf(ChannelConnection.class, daemon.daemon().connections().all().get(0));
        }
    }

    @Test
    void aReloadThatMakesATcpListenerTrustProxyHeadersMovesItToChannels() throws Exception {
        ProxyProtocolBackend backend = new ProxyProtocolBackend("pp");
        int port = Ports.freePort();
        SluiceConfig plain = onPort(TlsConfigs.tcp("pp")
                .pool("pp", BalanceAlgorithm.ROUND_ROBIN, ProxyProtocolVersion.V1, backend).build(), port);
        SluiceConfig trusting = onPort(TlsConfigs.tcp("pp").acceptProxyProtocol("127.0.0.1/32")
                .pool("pp", BalanceAlgorithm.ROUND_ROBIN, ProxyProtocolVersion.V1, backend).build(), port);
        try (backend; RunningDaemon daemon = RunningDaemon.start(plain)) {
            try (Socket s = Clients.connect(daemon.address())) {
                assertEquals("pp 127.0.0.1:" + s.getLocalPort(), Clients.readLine(s));
            }
            assertEquals(List.of(), daemon.daemon().reload(trusting), "problems of the reload");
            assertEquals(port, daemon.daemon().boundAddress("main").getPort(), "the same port, bound again");
            try (Socket s = Clients.connect(daemon.daemon().boundAddress("main"))) {
                sendProxyHeader(s);
                assertEquals("pp 198.51.100.7:40000", Clients.readLine(s), "the header is read, not relayed");
                await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 1);
                assertInstanceOf(ChannelConnection.class, daemon.daemon().connections().all().get(0));
            }
        }
    }

    private static SluiceConfig onPort(SluiceConfig c, int port) {
        ListenerConfig l = c.listeners().get(0);
        ListenerConfig moved = new ListenerConfig(l.name(), new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                l.mode(), l.pool(), l.tls(), l.acceptProxyProtocol(), l.line());
        return new SluiceConfig(c.source(), List.of(moved), c.pools(), c.timeouts(), c.limits(), c.admin(), c.state(),
                c.discovery());
    }

    private static void sendProxyHeader(Socket s) throws IOException {
        HAProxyMessage header = new HAProxyMessage(HAProxyProtocolVersion.V1, HAProxyCommand.PROXY,
                HAProxyProxiedProtocol.TCP4, "198.51.100.7", "203.0.113.1", 40000, 443);
        ByteBuf bytes = ProxyHeaders.encoded(header);
        try {
            s.getOutputStream().write(ByteBufUtil.getBytes(bytes));
        } finally {
            bytes.release();
        }
    }
}
