package io.sluice.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import io.sluice.config.ConfigLoader;
import io.sluice.config.NoSniAction;
import io.sluice.config.RouteConfig;
import io.sluice.config.TlsListenerConfig;
import io.sluice.route.RouteMatch.Kind;
import io.sluice.yaml.ConfigException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static final List<String> NO_ALPN = List.of();

    private static RouteConfig route(String sni, String pool, String... alpn) {
        return new RouteConfig(sni, List.of(alpn), pool, 1);
    }

    private static TlsListenerConfig tls(List<RouteConfig> routes, String defaultPool, NoSniAction noSni) {
        return new TlsListenerConfig(routes, defaultPool, noSni, null, Duration.ofSeconds(5), 16384, Duration.ZERO);
    }

    private static RouteTable table(String defaultPool, RouteConfig... routes) {
        return RouteTable.of(tls(List.of(routes), defaultPool, NoSniAction.DEFAULT));
    }

    private static final RouteTable EXAMPLE = table("fallback",
            route("chat.example.com", "chat"),
            route("*.example.com", "web"),
            route("api.example.com", "api-h2", "h2"),
            route("*.b.example.com", "deep"));

    @Test
    void exactNameWins() {
        assertEquals(new RouteMatch("chat", Kind.EXACT, "chat.example.com"), EXAMPLE.route("chat.example.com", NO_ALPN));
    }

    @Test
    void wildcardMatchesExactlyOneLabel() {
        assertEquals(new RouteMatch("web", Kind.WILDCARD, "*.example.com"), EXAMPLE.route("www.example.com", NO_ALPN));
        assertEquals("web", EXAMPLE.route("x-1.example.com", NO_ALPN).pool());
        // Not the bare domain, not two labels deep, not a mere suffix of a label.
        assertEquals(Kind.DEFAULT, EXAMPLE.route("example.com", NO_ALPN).kind());
        assertEquals(Kind.DEFAULT, EXAMPLE.route("a.c.example.com", NO_ALPN).kind());
        assertEquals(Kind.DEFAULT, EXAMPLE.route("wwwexample.com", NO_ALPN).kind());
        assertEquals(Kind.DEFAULT, EXAMPLE.route("www.example.com.evil", NO_ALPN).kind());
        assertEquals(Kind.DEFAULT, EXAMPLE.route(".example.com", NO_ALPN).kind());
        assertEquals(Kind.DEFAULT, EXAMPLE.route("example.", NO_ALPN).kind());
        assertEquals(Kind.DEFAULT, EXAMPLE.route("localhost", NO_ALPN).kind());
    }

    @Test
    void longestWildcardIsTheOnlyCandidate() {
        // a.b.example.com: *.b.example.com matches, *.example.com would need one label only.
        assertEquals(new RouteMatch("deep", Kind.WILDCARD, "*.b.example.com"), EXAMPLE.route("a.b.example.com", NO_ALPN));
        // b.example.com itself is one label in front of example.com.
        assertEquals("web", EXAMPLE.route("b.example.com", NO_ALPN).pool());
    }

    @Test
    void topLevelWildcard() {
        RouteTable t = table(null, route("*.com", "com"));
        assertEquals("com", t.route("example.com", NO_ALPN).pool());
        assertNull(t.route("a.example.com", NO_ALPN));
        assertNull(t.route("com", NO_ALPN));
    }

    @Test
    void noMatchGoesToTheDefaultPoolOrNowhere() {
        assertEquals(new RouteMatch("fallback", Kind.DEFAULT, null), EXAMPLE.route("other.org", NO_ALPN));
        assertNull(table(null, route("a.example.com", "a")).route("other.org", NO_ALPN));
    }

    @Test
    void noSni() {
        assertEquals(new RouteMatch("fallback", Kind.DEFAULT, null), EXAMPLE.route(null, NO_ALPN));
        assertEquals(new RouteMatch("fallback", Kind.DEFAULT, null), EXAMPLE.route("", List.of("h2")));
        RouteTable rejecting = RouteTable.of(tls(List.of(route("a.example.com", "a")), "fallback", NoSniAction.REJECT));
        assertNull(rejecting.route(null, NO_ALPN));
        assertNull(rejecting.route("", NO_ALPN));
        // reject is about a missing SNI only; an unmatched SNI still goes to the default pool.
        assertEquals("fallback", rejecting.route("other.org", NO_ALPN).pool());
        assertNull(RouteTable.of(tls(List.of(route("a.example.com", "a")), null, NoSniAction.DEFAULT))
                .route(null, NO_ALPN));
        assertNull(RouteTable.of(tls(List.of(route("a.example.com", "a")), null, NoSniAction.REJECT))
                .route(null, NO_ALPN));
    }

    @Test
    void alpnRouteWinsWhenTheClientOffersItsProtocol() {
        RouteTable t = table("fallback",
                route("api.example.com", "api-h1"),
                route("api.example.com", "api-h2", "h2"));
        assertEquals(new RouteMatch("api-h2", Kind.EXACT, "api.example.com"),
                t.route("api.example.com", List.of("h2", "http/1.1")));
        assertEquals("api-h2", t.route("api.example.com", List.of("http/1.1", "h2")).pool());
        assertEquals("api-h1", t.route("api.example.com", List.of("http/1.1")).pool());
        assertEquals("api-h1", t.route("api.example.com", NO_ALPN).pool());
        assertEquals("api-h1", t.route("api.example.com", null).pool());
    }

    @Test
    void alpnRouteThatDoesNotMatchIsSkipped() {
        // The only exact route needs h2: without it, the wildcard and then the default take over.
        assertEquals("api-h2", EXAMPLE.route("api.example.com", List.of("h2")).pool());
        assertEquals(new RouteMatch("web", Kind.WILDCARD, "*.example.com"),
                EXAMPLE.route("api.example.com", List.of("http/1.1")));
        assertEquals("web", EXAMPLE.route("api.example.com", NO_ALPN).pool());
        RouteTable onlyAlpn = table("fallback", route("api.example.com", "api-h2", "h2"));
        assertEquals(Kind.DEFAULT, onlyAlpn.route("api.example.com", List.of("http/1.1")).kind());
        RouteTable noDefault = table(null, route("api.example.com", "api-h2", "h2"));
        assertNull(noDefault.route("api.example.com", List.of("http/1.1")));
    }

    @Test
    void alpnOnWildcards() {
        RouteTable t = table(null,
                route("*.example.com", "any"),
                route("*.example.com", "grpc", "h2", "grpc-exp"));
        assertEquals(new RouteMatch("grpc", Kind.WILDCARD, "*.example.com"), t.route("a.example.com", List.of("grpc-exp")));
        assertEquals("any", t.route("a.example.com", List.of("acme-tls/1")).pool());
    }

    @Test
    void tiesGoToConfigOrder() {
        RouteTable t = table(null,
                route("a.example.com", "first", "h2"),
                route("a.example.com", "second", "h2", "http/1.1"),
                route("a.example.com", "plain-1"),
                route("a.example.com", "plain-2"));
        assertEquals("first", t.route("a.example.com", List.of("h2")).pool());
        assertEquals("first", t.route("a.example.com", List.of("http/1.1", "h2")).pool());
        assertEquals("second", t.route("a.example.com", List.of("http/1.1")).pool());
        assertEquals("plain-1", t.route("a.example.com", List.of("spdy/3")).pool());
    }

    @Test
    void namesAreMatchedExactlySoTheCallerMustNormalize() {
        // The table does not fold case or strip a trailing dot: the data plane normalizes the SNI once.
        RouteTable t = table(null, route("chat.example.com", "chat"), route("*.example.net", "net"));
        assertNull(t.route("CHAT.example.com", NO_ALPN));
        assertNull(t.route("chat.example.com.", NO_ALPN));
        assertNull(t.route("a.EXAMPLE.net", NO_ALPN));
        assertNull(t.route("a.example.net.", NO_ALPN));
        // In EXAMPLE, an unnormalized name falls through to the wildcard instead of its exact route.
        assertEquals(Kind.WILDCARD, EXAMPLE.route("CHAT.example.com", NO_ALPN).kind());
        // ALPN protocol names are byte strings: compared exactly, too.
        assertEquals("web", EXAMPLE.route("api.example.com", List.of("H2")).pool());
    }

    @Test
    void configNormalizesRouteNames() throws ConfigException {
        var config = ConfigLoader.parse("""
                listeners:
                  - name: https
                    bind: 127.0.0.1:8443
                    mode: tls
                    routes:
                      - { sni: Chat.Example.COM., pool: chat }
                      - { sni: "*.EXAMPLE.com", pool: web }
                pools:
                  chat: { backends: [ { name: a, address: 127.0.0.1:1 } ] }
                  web: { backends: [ { name: a, address: 127.0.0.1:2 } ] }
                """, "test.yaml");
        RouteTable t = RouteTable.of(config.listeners().get(0).tls());
        assertEquals(new RouteMatch("chat", Kind.EXACT, "chat.example.com"), t.route("chat.example.com", NO_ALPN));
        assertEquals(new RouteMatch("web", Kind.WILDCARD, "*.example.com"), t.route("www.example.com", NO_ALPN));
        assertEquals(2, t.size());
    }

    @Test
    void defaultPoolOnly() {
        RouteTable t = table("only");
        assertEquals(0, t.size());
        assertEquals("only", t.route("anything.example.com", List.of("h2")).pool());
        assertEquals("only", t.route(null, NO_ALPN).pool());
    }

    @Test
    void matchesAreReused() {
        assertSame(EXAMPLE.route("chat.example.com", NO_ALPN), EXAMPLE.route("chat.example.com", List.of("h2")));
        assertSame(EXAMPLE.route("a.example.com", NO_ALPN), EXAMPLE.route("b.example.com", NO_ALPN));
        assertSame(EXAMPLE.route("x.org", NO_ALPN), EXAMPLE.route(null, NO_ALPN));
    }

    @Test
    void kindWords() {
        assertEquals(List.of("exact", "wildcard", "default"), List.of(Kind.values()).stream().map(Kind::word).toList());
        assertThrows(IllegalArgumentException.class, () -> new RouteMatch("p", Kind.DEFAULT, "a.example.com"));
        assertThrows(IllegalArgumentException.class, () -> new RouteMatch("p", Kind.EXACT, null));
    }

    private static RouteTable thousandRoutes() {
        List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            routes.add(route("host-" + i + ".example.com", "exact-" + i));
            routes.add(route("*.tenant-" + i + ".example.net", "tenant-" + i));
        }
        return table("fallback", routes.toArray(RouteConfig[]::new));
    }

    @Test
    void aThousandRoutes() {
        RouteTable t = thousandRoutes();
        assertEquals(1000, t.size());
        for (int i = 0; i < 500; i++) {
            assertEquals(new RouteMatch("exact-" + i, Kind.EXACT, "host-" + i + ".example.com"),
                    t.route("host-" + i + ".example.com", NO_ALPN));
            assertEquals(new RouteMatch("tenant-" + i, Kind.WILDCARD, "*.tenant-" + i + ".example.net"),
                    t.route("www.tenant-" + i + ".example.net", NO_ALPN));
            assertEquals(Kind.DEFAULT, t.route("tenant-" + i + ".example.net", NO_ALPN).kind());
            assertEquals(Kind.DEFAULT, t.route("host-" + i + ".example.org", NO_ALPN).kind());
        }
        assertEquals(Kind.DEFAULT, t.route("host-500.example.com", NO_ALPN).kind());
    }

    @Test
    void routingAllocatesNothing() {
        var bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof ThreadMXBean);
        var threads = (ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        RouteTable t = thousandRoutes();
        List<String> alpn = List.of("h2", "http/1.1");
        String[] names = {"host-7.example.com", "www.tenant-42.example.net", "nothing.example.org", null};
        long sink = 0;
        for (int warm = 0; warm < 20_000; warm++) {
            sink += t.route(names[warm & 3], alpn).pool().length();
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            sink += t.route(names[i & 3], alpn).pool().length();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        // Far below one object per call; the slack covers the measurement itself.
        assertEquals(true, allocated < 64 * 1024, "allocated " + allocated + " bytes for 100000 lookups");
        assertEquals(true, sink > 0);
    }
}
