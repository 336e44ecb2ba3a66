package io.sluice.config;

import static io.sluice.config.Yaml.MINIMAL;
import static io.sluice.config.Yaml.assertContains;
import static io.sluice.config.Yaml.assertError;
import static io.sluice.config.Yaml.errors;
import static io.sluice.config.Yaml.onlyError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.yaml.ConfigError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code mode: tls} listeners, their routes, and the PROXY protocol keys of listeners and pools. */
class TlsListenerTest {

    private static final String POOLS = """
            pools:
              chat: { backends: [ { name: a, address: 127.0.0.1:1 } ] }
              web: { backends: [ { name: a, address: 127.0.0.1:2 } ] }
              api-h2: { backends: [ { name: a, address: 127.0.0.1:3 } ] }
            """;

    /** A tls listener whose own keys start at line 5 (listener entry at line 2). */
    private static String tls(String body) {
        return """
                listeners:
                  - name: https
                    bind: 127.0.0.1:8443
                    mode: tls
                """ + body.indent(4) + POOLS;
    }

    private static TlsListenerConfig tlsOf(String body) {
        ListenerConfig listener = Yaml.load(tls(body)).listeners().get(0);
        assertEquals(ListenerMode.TLS, listener.mode());
        assertNull(listener.pool());
        return listener.tls();
    }

    private static String route(String sni) {
        return "routes:\n  - { sni: " + sni + ", pool: chat }\n";
    }

    @Test
    void fullExample() {
        SluiceConfig config = Yaml.load(tls("""
                routes:
                  - { sni: chat.example.com, pool: chat }
                  - { sni: "*.example.com", pool: web }
                  - { sni: api.example.com, alpn: [h2], pool: api-h2 }
                default-pool: web
                no-sni: reject
                not-tls: chat
                client-hello-timeout: 2s
                max-client-hello: 8k
                server-first-timeout: 500ms
                accept-proxy-protocol: [127.0.0.1/32, "10.0.0.0/8"]
                """));
        ListenerConfig listener = config.listeners().get(0);
        assertEquals(new InetSocketAddress("127.0.0.1", 8443), listener.bind());
        assertEquals(2, listener.line());
        assertEquals(List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("10.0.0.0/8")), listener.acceptProxyProtocol());
        TlsListenerConfig tls = listener.tls();
        assertEquals(List.of(
                new RouteConfig("chat.example.com", List.of(), "chat", 6),
                new RouteConfig("*.example.com", List.of(), "web", 7),
                new RouteConfig("api.example.com", List.of("h2"), "api-h2", 8)), tls.routes());
        assertFalse(tls.routes().get(0).wildcard());
        assertTrue(tls.routes().get(1).wildcard());
        assertEquals("web", tls.defaultPool());
        assertEquals(NoSniAction.REJECT, tls.noSni());
        assertEquals("chat", tls.notTlsPool());
        assertEquals(Duration.ofSeconds(2), tls.clientHelloTimeout());
        assertEquals(8192, tls.maxClientHello());
        assertEquals(Duration.ofMillis(500), tls.serverFirstTimeout());
        assertEquals("1 listener, 3 pools, 3 backends", config.summary());
    }

    @Test
    void defaults() {
        ListenerConfig listener = Yaml.load(tls(route("chat.example.com"))).listeners().get(0);
        assertEquals(List.of(), listener.acceptProxyProtocol());
        TlsListenerConfig tls = listener.tls();
        assertNull(tls.defaultPool());
        assertEquals(NoSniAction.DEFAULT, tls.noSni());
        assertNull(tls.notTlsPool());
        assertEquals(Duration.ofSeconds(5), tls.clientHelloTimeout());
        assertEquals(16384, tls.maxClientHello());
        assertEquals(Duration.ZERO, tls.serverFirstTimeout());
    }

    @Test
    void tcpListenerDefaults() {
        ListenerConfig listener = Yaml.load(MINIMAL).listeners().get(0);
        assertEquals(ListenerMode.TCP, listener.mode());
        assertEquals("chat", listener.pool());
        assertNull(listener.tls());
        assertEquals(List.of(), listener.acceptProxyProtocol());
        assertEquals(ProxyProtocolVersion.OFF, Yaml.load(MINIMAL).pools().get("chat").sendProxyProtocol());
    }

    @Test
    void defaultPoolAloneIsEnough() {
        TlsListenerConfig tls = tlsOf("default-pool: web\n");
        assertEquals(List.of(), tls.routes());
        assertEquals("web", tls.defaultPool());
        assertEquals(List.of(), tlsOf("routes: []\ndefault-pool: web\n").routes());
    }

    @Test
    void noSniRejectWithoutDefaultPoolIsFine() {
        assertEquals(NoSniAction.REJECT, tlsOf(route("a.example.com") + "no-sni: reject\n").noSni());
    }

    @Test
    void tlsNeedsRoutesOrDefaultPool() {
        String message = "mode: tls needs routes, default-pool or both";
        assertEquals(message, onlyError(tls("no-sni: reject\n"), 2, "listeners[0].routes"));
        assertEquals(message, onlyError(tls("routes: []\n"), 2, "listeners[0].routes"));
        assertEquals(message, onlyError(tls("routes:\n"), 2, "listeners[0].routes"));
    }

    @Test
    void tlsListenerWithPool() {
        assertEquals("tls listeners route with routes and default-pool, not pool",
                onlyError(tls("pool: chat\ndefault-pool: web\n"), 5, "listeners[0].pool"));
    }

    @Test
    void tlsKeysOnATcpListener() {
        String yaml = MINIMAL.replace("    pool: chat\n", """
                    pool: chat
                    routes: [ { sni: a.example.com, pool: chat } ]
                    default-pool: chat
                    no-sni: reject
                    not-tls: reject
                    client-hello-timeout: 1s
                    max-client-hello: 1k
                    server-first-timeout: 1s
                    accept-proxy-protocol: [10.0.0.0/8]
                """);
        List<ConfigError> errors = errors(yaml);
        assertEquals(7, errors.size(), Yaml.render(errors));
        int line = 5;
        for (String key : ListenerBinder.TLS_KEYS) {
            assertEquals(key + " is only for mode: tls", assertError(errors, line++, "listeners[0]." + key));
        }
    }

    @Test
    void tcpStillNeedsAPool() {
        assertEquals("required key is missing",
                onlyError(MINIMAL.replace("    pool: chat\n", "    mode: tcp\n"), 2, "listeners[0].pool"));
    }

    @Test
    void wrongModeIsOneErrorNotMany() {
        // The tls keys are neither required nor refused when the mode itself is wrong.
        assertEquals("'tlss' (expected tcp or tls) (did you mean 'tls'?)",
                onlyError(tls(route("a.example.com")).replace("mode: tls", "mode: tlss"), 4, "listeners[0].mode"));
    }

    @Test
    void sniIsLowercasedAndLosesOneTrailingDot() {
        TlsListenerConfig tls = tlsOf("""
                routes:
                  - { sni: Chat.Example.COM., pool: chat }
                  - { sni: "*.EXAMPLE.com", pool: web }
                """);
        assertEquals("chat.example.com", tls.routes().get(0).sni());
        assertEquals("*.example.com", tls.routes().get(1).sni());
    }

    @Test
    void validServerNames() {
        for (String sni : List.of("a", "a.b", "xn--bcher-kva.example", "a-b.c-d.e", "'*.com'", "'*.a.b.c'",
                "a".repeat(63) + ".com", "'" + "a.".repeat(126) + "a'", "1a.example.com")) {
            Yaml.load(tls(route(sni)));
        }
    }

    @Test
    void invalidServerNames() {
        for (String sni : List.of("'*'", "'**.a.com'", "'*a.com'", "a.*.com", "a.com*", "'*.'", "a..b", ".a.com",
                "a_b.com", "a.com..", "'a b.com'", "'*.*.com'", "a".repeat(64) + ".com", "'" + "a.".repeat(127) + "a'",
                "'http://a.com'", "a.com:443", "''")) {
            String message = onlyError(tls(route(sni)), 6, "listeners[0].routes[0].sni");
            assertContains(message, "(expected a host name like chat.example.com, or *.example.com for any one label"
                    + " in front of example.com)");
        }
    }

    @Test
    void ipAddressIsNotAServerName() {
        assertContains(onlyError(tls(route("10.0.0.1")), 6, "listeners[0].routes[0].sni"),
                "clients never send an IP address as SNI");
    }

    @Test
    void internationalizedNameGetsItsAsciiForm() {
        assertContains(onlyError(tls(route("bücher.example")), 6, "listeners[0].routes[0].sni"),
                "write internationalized names in their ASCII form: 'xn--bcher-kva.example'");
    }

    @Test
    void duplicateRoutes() {
        String yaml = tls("""
                routes:
                  - { sni: a.example.com, pool: chat }
                  - { sni: a.example.com, alpn: [h2, http/1.1], pool: chat }
                  - { sni: A.example.com., pool: web }
                  - { sni: a.example.com, alpn: [http/1.1, h2], pool: web }
                  - { sni: a.example.com, alpn: [h2], pool: web }
                  - { sni: "*.example.com", pool: web }
                """);
        List<ConfigError> errors = errors(yaml);
        assertEquals(2, errors.size(), Yaml.render(errors));
        assertEquals("duplicate route (also at line 6)", assertError(errors, 8, "listeners[0].routes[2]"));
        assertEquals("duplicate route (also at line 7)", assertError(errors, 9, "listeners[0].routes[3]"));
    }

    @Test
    void unknownPools() {
        List<ConfigError> errors = errors(tls("""
                routes:
                  - { sni: a.example.com, pool: chta }
                default-pool: wbe
                not-tls: nope
                """));
        assertEquals(3, errors.size(), Yaml.render(errors));
        String pools = " (pools: chat, web, api-h2)";
        assertEquals("unknown pool 'chta'" + pools, assertError(errors, 6, "listeners[0].routes[0].pool"));
        assertEquals("unknown pool 'wbe'" + pools, assertError(errors, 7, "listeners[0].default-pool"));
        assertEquals("unknown pool 'nope'" + pools, assertError(errors, 8, "listeners[0].not-tls"));
    }

    @Test
    void routeKeys() {
        List<ConfigError> errors = errors(tls("""
                routes:
                  - { pool: chat }
                  - { sni: a.example.com }
                  - { sni: b.example.com, pool: chat, alpm: [h2] }
                  - chat
                """));
        assertEquals(4, errors.size(), Yaml.render(errors));
        assertEquals("required key is missing", assertError(errors, 6, "listeners[0].routes[0].sni"));
        assertEquals("required key is missing", assertError(errors, 7, "listeners[0].routes[1].pool"));
        assertEquals("unknown key 'alpm' (did you mean 'alpn'?)", assertError(errors, 8, "listeners[0].routes[2].alpm"));
        assertEquals("expected a mapping, found 'chat'", assertError(errors, 9, "listeners[0].routes[3]"));
        assertEquals("expected a list, found a mapping",
                onlyError(tls("routes: { sni: a.example.com, pool: chat }\n"), 5, "listeners[0].routes"));
    }

    @Test
    void alpn() {
        TlsListenerConfig tls = tlsOf("routes:\n  - { sni: a.b, alpn: [h2, http/1.1, \"x y\"], pool: chat }\n");
        assertEquals(List.of("h2", "http/1.1", "x y"), tls.routes().get(0).alpn());

        String key = "listeners[0].routes[0].alpn";
        assertEquals("at least one protocol is required (leave alpn out to match any)",
                onlyError(tls("routes:\n  - { sni: a.b, alpn: [], pool: chat }\n"), 6, key));
        assertEquals("expected a list, found 'h2'",
                onlyError(tls("routes:\n  - { sni: a.b, alpn: h2, pool: chat }\n"), 6, key));
        assertEquals("duplicate protocol 'h2'",
                onlyError(tls("routes:\n  - { sni: a.b, alpn: [h2, h2], pool: chat }\n"), 6, key + "[1]"));
        String expected = "(expected an ALPN protocol name of 1 to 255 printable ASCII characters, like h2 or http/1.1)";
        assertContains(onlyError(tls("routes:\n  - { sni: a.b, alpn: [\"\"], pool: chat }\n"), 6, key + "[0]"), expected);
        assertContains(onlyError(tls("routes:\n  - { sni: a.b, alpn: [\"h\\u00e9\"], pool: chat }\n"), 6, key + "[0]"),
                expected);
        assertContains(onlyError(tls("routes:\n  - { sni: a.b, alpn: [\"a\\tb\"], pool: chat }\n"), 6, key + "[0]"),
                expected);
        assertContains(onlyError(tls("routes:\n  - { sni: a.b, alpn: [" + "x".repeat(256) + "], pool: chat }\n"), 6,
                key + "[0]"), expected);
        tlsOf("routes:\n  - { sni: a.b, alpn: [" + "x".repeat(255) + "], pool: chat }\n");
    }

    @Test
    void noSniValues() {
        assertEquals(NoSniAction.DEFAULT, tlsOf("default-pool: web\nno-sni: default\n").noSni());
        assertEquals("'drop' (expected default or reject)",
                onlyError(tls("default-pool: web\nno-sni: drop\n"), 6, "listeners[0].no-sni"));
    }

    @Test
    void notTls() {
        assertNull(tlsOf("default-pool: web\nnot-tls: reject\n").notTlsPool());
        assertEquals("chat", tlsOf("default-pool: web\nnot-tls: chat\n").notTlsPool());
        assertEquals("expected a single value, found a list",
                onlyError(tls("default-pool: web\nnot-tls: [chat]\n"), 6, "listeners[0].not-tls"));
    }

    @Test
    void clientHelloTimeoutRange() {
        String key = "listeners[0].client-hello-timeout";
        assertEquals("0 (expected more than 0 and at most 5m)",
                onlyError(tls("default-pool: web\nclient-hello-timeout: 0\n"), 6, key));
        assertEquals("301s (expected more than 0 and at most 5m)",
                onlyError(tls("default-pool: web\nclient-hello-timeout: 301s\n"), 6, key));
        assertEquals(Duration.ofMinutes(5), tlsOf("default-pool: web\nclient-hello-timeout: 5m\n").clientHelloTimeout());
        assertEquals(Duration.ofMillis(1), tlsOf("default-pool: web\nclient-hello-timeout: 1ms\n").clientHelloTimeout());
    }

    @Test
    void maxClientHello() {
        assertEquals(16384, tlsOf("default-pool: web\nmax-client-hello: 16k\n").maxClientHello());
        assertEquals(512, tlsOf("default-pool: web\nmax-client-hello: 512\n").maxClientHello());
        assertEquals(65536, tlsOf("default-pool: web\nmax-client-hello: 64k\n").maxClientHello());
        assertEquals(65536, tlsOf("default-pool: web\nmax-client-hello: 65536\n").maxClientHello());
        String key = "listeners[0].max-client-hello";
        assertEquals("511 (expected 512..64k)", onlyError(tls("default-pool: web\nmax-client-hello: 511\n"), 6, key));
        assertEquals("65k (expected 512..64k)", onlyError(tls("default-pool: web\nmax-client-hello: 65k\n"), 6, key));
        assertEquals("0k (expected 512..64k)", onlyError(tls("default-pool: web\nmax-client-hello: 0k\n"), 6, key));
        for (String bad : List.of("16K", "16kb", "16 k", "1.5k", "-1k", "k", "16m", "9999999999")) {
            assertContains(onlyError(tls("default-pool: web\nmax-client-hello: " + bad + "\n"), 6, key),
                    "(expected a size in bytes like 16384 or 16k, 512..64k)");
        }
    }

    @Test
    void serverFirstTimeout() {
        TlsListenerConfig tls = tlsOf("default-pool: web\nnot-tls: chat\nserver-first-timeout: 3s\n");
        assertEquals(Duration.ofSeconds(3), tls.serverFirstTimeout());
        assertEquals(Duration.ZERO, tlsOf("default-pool: web\nserver-first-timeout: 0s\n").serverFirstTimeout());

        String key = "listeners[0].server-first-timeout";
        String message = "server-first-timeout needs not-tls: <pool>";
        assertEquals(message, onlyError(tls("default-pool: web\nserver-first-timeout: 3s\n"), 6, key));
        assertEquals(message, onlyError(tls("default-pool: web\nnot-tls: reject\nserver-first-timeout: 3s\n"), 7, key));
        assertEquals("301s (expected 0 to 5m)",
                onlyError(tls("default-pool: web\nnot-tls: chat\nserver-first-timeout: 301s\n"), 7, key));
    }

    @Test
    void acceptProxyProtocolOnBothModes() {
        ListenerConfig tcp = Yaml.load(MINIMAL.replace("    pool: chat\n",
                "    pool: chat\n    accept-proxy-protocol: [127.0.0.1, 10.0.0.0/8, \"::1/128\", \"[2001:db8::]/32\"]\n"))
                .listeners().get(0);
        assertEquals(List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("10.0.0.0/8"), Cidr.parse("::1/128"),
                Cidr.parse("2001:db8::/32")), tcp.acceptProxyProtocol());
        assertTrue(tcp.acceptsProxyProtocolFrom(InetAddress.getLoopbackAddress()));
        assertEquals(List.of(Cidr.parse("192.168.0.0/16")),
                acceptProxyProtocol("default-pool: web\naccept-proxy-protocol:\n  - 192.168.0.0/16\n"));
        assertEquals(List.of(), Yaml.load(MINIMAL.replace("    pool: chat\n",
                "    pool: chat\n    accept-proxy-protocol: []\n")).listeners().get(0).acceptProxyProtocol());
    }

    private static List<Cidr> acceptProxyProtocol(String body) {
        return Yaml.load(tls(body)).listeners().get(0).acceptProxyProtocol();
    }

    @Test
    void acceptProxyProtocolErrors() {
        List<ConfigError> errors = errors(tls("""
                default-pool: web
                accept-proxy-protocol:
                  - 10.0.0.0/33
                  - 10.0.0.256/8
                  - example.com
                  - "::1/129"
                  - 10.0.0.0/
                  - [10.0.0.0/8]
                """));
        assertEquals(6, errors.size(), Yaml.render(errors));
        String key = "listeners[0].accept-proxy-protocol";
        assertEquals("'10.0.0.0/33' (prefix length 33 out of range 0..32)", assertError(errors, 7, key + "[0]"));
        assertEquals("'10.0.0.256/8' (invalid IPv4 address)", assertError(errors, 8, key + "[1]"));
        assertContains(assertError(errors, 9, key + "[2]"), "(expected an address or a block like 10.0.0.0/8");
        assertEquals("'::1/129' (prefix length 129 out of range 0..128)", assertError(errors, 10, key + "[3]"));
        assertContains(assertError(errors, 11, key + "[4]"), "must be a number 0..32");
        assertEquals("expected a single value, found a list", assertError(errors, 12, key + "[5]"));
        assertEquals("expected a list, found '10.0.0.0/8'",
                onlyError(tls("default-pool: web\naccept-proxy-protocol: 10.0.0.0/8\n"), 6, key));
        assertEquals(List.of(), acceptProxyProtocol("default-pool: web\naccept-proxy-protocol:\n"));
    }

    @Test
    void sendProxyProtocol() {
        for (ProxyProtocolVersion v : ProxyProtocolVersion.values()) {
            String yaml = MINIMAL.replace("  chat:\n", "  chat:\n    send-proxy-protocol: " + v.yamlName() + "\n");
            assertEquals(v, Yaml.load(yaml).pools().get("chat").sendProxyProtocol());
        }
        assertEquals("'v3' (expected off, v1 or v2) (did you mean 'v1'?)", onlyError(
                MINIMAL.replace("  chat:\n", "  chat:\n    send-proxy-protocol: v3\n"), 7, "pools.chat.send-proxy-protocol"));
    }

    @Test
    void tcpAndTlsListenersTogetherAndDuplicateBindStillChecked() {
        String yaml = """
                listeners:
                  - { name: chat, bind: 127.0.0.1:7000, pool: chat }
                  - name: https
                    bind: 127.0.0.1:7000
                    mode: tls
                    default-pool: web
                """ + POOLS;
        assertEquals("address already used by listener 'chat' (line 2)", onlyError(yaml, 4, "listeners[1].bind"));
        SluiceConfig config = Yaml.load(yaml.replace("127.0.0.1:7000\n", "127.0.0.1:7443\n"));
        assertEquals(List.of(ListenerMode.TCP, ListenerMode.TLS),
                config.listeners().stream().map(ListenerConfig::mode).toList());
    }

    @Test
    void allTlsErrorsAtOnceInLineOrder() {
        List<ConfigError> errors = errors(tls("""
                pool: chat
                routes:
                  - { sni: "a.*.com", pool: chat }
                  - { sni: b.example.com, pool: nope }
                no-sni: maybe
                max-client-hello: 1m
                server-first-timeout: 1s
                accept-proxy-protocol: [1.2.3.4/40]
                """));
        assertEquals(List.of(5, 7, 8, 9, 10, 11, 12), errors.stream().map(ConfigError::line).toList(),
                Yaml.render(errors));
    }
}
