package io.sluice.proxyprotocol;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ProxyProtocolVersion;
import io.sluice.config.SluiceConfig;
import io.sluice.harness.Clients;
import io.sluice.harness.EachRelay;
import io.sluice.harness.Ports;
import io.sluice.harness.ProxyProtocolBackend;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TlsConfigs;
import io.sluice.tls.ClientHellos;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PROXY protocol to backends (v1, v2 with the SNI TLV) and from trusted upstreams. */
class ProxyProtocolTest extends EachRelay {

    @ParameterizedTest
    @EnumSource(value = ProxyProtocolVersion.class, names = {"V1", "V2"})
    void backendsLearnTheRealClientAddress(ProxyProtocolVersion version) throws Exception {
        ProxyProtocolBackend backend = new ProxyProtocolBackend("pp");
        try (backend;
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tcp("pp").pool("pp", version, backend).build());
             Socket s = Clients.connect(daemon.address(), Clients.loopback(7))) {
            String greeting = Clients.readLine(s);
            assertEquals("pp 127.0.0.7:" + s.getLocalPort(), greeting);
            ProxyProtocolBackend.Seen seen = backend.next();
            assertEquals(version.name(), seen.version());
            assertEquals("127.0.0.7", seen.source());
            assertEquals(s.getLocalPort(), seen.sourcePort());
            assertEquals("127.0.0.1", seen.destination());
            assertEquals(daemon.address().getPort(), seen.destinationPort());
            assertNull(seen.authority(), "no SNI on a tcp listener");
            s.getOutputStream().write("payload\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("payload", Clients.readLine(s), "client bytes follow the header unchanged");
        }
    }

    @Test
    void v2CarriesTheSniAsTheAuthorityTlvOnTlsListeners() throws Exception {
        ProxyProtocolBackend backend = new ProxyProtocolBackend("pp");
        byte[] hello = ClientHellos.jdkClientHello("chat.example.com", List.of(), "TLSv1.3");
        try (backend;
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tls().route("chat.example.com", "pp")
                     .pool("pp", ProxyProtocolVersion.V2, backend).build());
             Socket s = Clients.connect(daemon.address(), Clients.loopback(8))) {
            s.getOutputStream().write(hello);
            assertEquals("pp 127.0.0.8:" + s.getLocalPort(), Clients.readLine(s));
            ProxyProtocolBackend.Seen seen = backend.next();
            assertEquals("chat.example.com", seen.authority());
            assertArrayEquals(hello, s.getInputStream().readNBytes(hello.length), "the hello follows the header unchanged");
        }
    }

    @Test
    void aTrustedUpstreamsHeaderBecomesTheClientForStickinessAndTheHeaderSentOnwards() throws Exception {
        ProxyProtocolBackend a = new ProxyProtocolBackend("a");
        ProxyProtocolBackend b = new ProxyProtocolBackend("b");
        ProxyProtocolBackend c = new ProxyProtocolBackend("c");
        TlsConfigs behindLb = TlsConfigs.tcp("app").acceptProxyProtocol("127.0.0.1/32")
                .pool("app", BalanceAlgorithm.MAGLEV, ProxyProtocolVersion.V1, a, b, c);
        TlsConfigs direct = TlsConfigs.tcp("app")
                .pool("app", BalanceAlgorithm.MAGLEV, ProxyProtocolVersion.V1, a, b, c);
        try (a; b; c;
             RunningDaemon viaUpstream = RunningDaemon.start(behindLb.build());
             RunningDaemon plain = RunningDaemon.start(direct.build())) {
            int distinct = 0;
            String previous = null;
            for (int host = 20; host < 60; host++) {
                // What a direct client from 127.0.0.<host> gets (same backend names -> same Maglev table)...
                String expected;
                try (Socket s = Clients.connect(plain.address(), Clients.loopback(host))) {
                    expected = Clients.readLine(s).split(" ")[0];
                }
                // ...is what a client carried in a PROXY v2 header from 127.0.0.1 gets, every time.
                for (int i = 0; i < 2; i++) {
                    try (Socket s = Clients.connect(viaUpstream.address(), Clients.loopback(1))) {
                        s.getOutputStream().write(v2Header("127.0.0." + host, 40000 + host, viaUpstream.address()));
                        String greeting = Clients.readLine(s);
                        assertEquals(expected + " 127.0.0." + host + ":" + (40000 + host), greeting,
                                "carried address used for stickiness and sent onwards");
                    }
                }
                if (!expected.equals(previous)) {
                    distinct++;
                }
                previous = expected;
            }
            assertTrue(distinct > 3, "clients spread over several backends");
        }
    }

    @Test
    void haproxySendProxyV2IsATrustedUpstream(@TempDir Path dir) throws Exception {
        Path haproxy = Path.of("/usr/sbin/haproxy");
        assumeTrue(Files.isExecutable(haproxy), "haproxy not installed");
        ProxyProtocolBackend backend = new ProxyProtocolBackend("pp");
        try (backend;
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tcp("pp").acceptProxyProtocol("127.0.0.1/32")
                     .pool("pp", ProxyProtocolVersion.V1, backend).build())) {
            int port = Ports.freePort();
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, """
                    global
                      maxconn 100
                    defaults
                      mode tcp
                      timeout connect 2s
                      timeout client 10s
                      timeout server 10s
                    frontend fe
                      bind 127.0.0.1:%d
                      default_backend be
                    backend be
                      server sluice 127.0.0.1:%d send-proxy-v2
                    """.formatted(port, daemon.address().getPort()));
            Process p = new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            try {
                InetSocketAddress front = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                    try (Socket probe = Clients.connect(front, Clients.loopback(11))) {
                        return Clients.readLine(probe) != null;
                    }
                });
                try (Socket s = Clients.connect(front, Clients.loopback(11))) {
                    assertEquals("pp 127.0.0.11:" + s.getLocalPort(), Clients.readLine(s),
                            "HAProxy's header named the client; Sluice passed it on");
                }
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void untrustedSourcesAreNotBelievedTheirHeaderIsJustBytes() throws Exception {
        try (TestBackend echo = TestBackend.namedEcho("echo");
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tcp("app").acceptProxyProtocol("127.0.0.1/32")
                     .pool("app", echo).build());
             Socket s = Clients.connect(daemon.address(), Clients.loopback(9))) {
            assertEquals("echo", Clients.readLine(s));
            byte[] header = "PROXY TCP4 127.0.0.99 127.0.0.1 1234 80\r\n".getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(header);
            assertArrayEquals(header, s.getInputStream().readNBytes(header.length), "relayed as data, not interpreted");
        }
    }

    @Test
    void aTrustedSourceWithoutAValidHeaderIsClosedAndCounted() throws Exception {
        try (TestBackend echo = TestBackend.namedEcho("echo");
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tcp("app").acceptProxyProtocol("127.0.0.0/8")
                     .pool("app", echo).build());
             Socket s = Clients.connect(daemon.address(), Clients.loopback(10))) {
            s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, readOrReset(s));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    daemon.count("sluice.proxy.protocol.refused", "listener", "main", "reason", "invalid") == 1);
            assertEquals(0, echo.accepted(), "never reached a backend");
            // Closed for its header, not as a client abort (Netty's decoder closes the channel itself).
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    daemon.count("sluice.connections.closed", "listener", "main", "reason", "proxy-header-invalid") == 1);
            assertEquals(0, daemon.count("sluice.connections.closed", "listener", "main", "reason", "client-abort"));
        }
    }

    @Test
    void aTrustedUpstreamsFinInTheMiddleOfTheHeaderEndsItWithoutWaitingForTheTimeout() throws Exception {
        try (TestBackend echo = TestBackend.namedEcho("echo");
             RunningDaemon daemon = RunningDaemon.start(TlsConfigs.tcp("app").acceptProxyProtocol("127.0.0.0/8")
                     .pool("app", echo).build());
             Socket s = Clients.connect(daemon.address(), Clients.loopback(11))) {
            s.getOutputStream().write("PROXY TCP4 127.0.0.".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            // Well before the 5 s header timeout: the header can never be completed after a FIN.
            await().atMost(ProxyHeaderReceiver.HEADER_TIMEOUT.minusSeconds(2)).until(() ->
                    daemon.count("sluice.connections.closed", "listener", "main", "reason", "proxy-header-invalid") == 1);
            assertEquals(-1, readOrReset(s));
            assertEquals(1, daemon.count("sluice.proxy.protocol.refused", "listener", "main", "reason", "invalid"));
            assertEquals(0, echo.accepted(), "never reached a backend");
        }
    }

    @Test
    void perSourceLimitsApplyToTheCarriedAddress() throws Exception {
        ProxyProtocolBackend backend = new ProxyProtocolBackend("pp");
        SluiceConfig base = TlsConfigs.tcp("pp").acceptProxyProtocol("127.0.0.1/32")
                .pool("pp", ProxyProtocolVersion.V2, backend).build();
        SluiceConfig limited = new SluiceConfig(base.source(), base.listeners(), base.pools(),
                base.timeouts(), new LimitsConfig(100, 1), base.admin(), base.state(), null);
        try (backend; RunningDaemon daemon = RunningDaemon.start(limited);
             Socket first = Clients.connect(daemon.address());
             Socket second = Clients.connect(daemon.address());
             Socket other = Clients.connect(daemon.address())) {
            first.getOutputStream().write(v2Header("127.0.0.30", 1000, daemon.address()));
            assertNotNull(Clients.readLine(first));
            second.getOutputStream().write(v2Header("127.0.0.30", 1001, daemon.address()));
            assertEquals(-1, readOrReset(second), "second connection of 127.0.0.30 is over its limit");
            other.getOutputStream().write(v2Header("127.0.0.31", 1002, daemon.address()));
            assertEquals("pp 127.0.0.31:1002", Clients.readLine(other), "same socket source, other carried client: fine");
        }
    }

    private static int readOrReset(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    /** A PROXY v2 header as a real sender (Netty's encoder, as HAProxy's send-proxy-v2 would) writes it. */
    static byte[] v2Header(String source, int sourcePort, InetSocketAddress destination) {
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        try {
            encoder.writeOutbound(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                    HAProxyProxiedProtocol.TCP4, source, destination.getAddress().getHostAddress(),
                    sourcePort, destination.getPort()));
            ByteBuf out = encoder.readOutbound();
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            out.release();
            return bytes;
        } finally {
            encoder.finishAndReleaseAll();
        }
    }
}
