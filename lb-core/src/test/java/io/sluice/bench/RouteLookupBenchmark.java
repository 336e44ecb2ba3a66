package io.sluice.bench;

import io.sluice.config.NoSniAction;
import io.sluice.config.RouteConfig;
import io.sluice.config.TlsListenerConfig;
import io.sluice.route.RouteMatch;
import io.sluice.route.RouteTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link RouteTable#route} for the three outcomes a tls listener sees: an exact SNI route, a
 * {@code *.domain} wildcard route, and no route (the default pool), on tables of 10 and 1000 routes
 * (half exact, half wildcard). The table promises a cost independent of its size; this checks it.
 *
 * <p>Each case cycles through up to 64 different names, so one hot key and its slot do not stand
 * for a table; the client offers ALPN h2 and http/1.1, as browsers do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteLookupBenchmark {

    @Param({"10", "1000"})
    public int routes;

    private RouteTable table;
    private String[] exactNames;
    private String[] wildcardNames;
    private String[] unknownNames;
    private List<String> alpn;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        int half = routes / 2;
        List<RouteConfig> list = new ArrayList<>(routes);
        for (int i = 0; i < half; i++) {
            list.add(new RouteConfig("svc" + i + ".example.com", List.of(), "pool" + (i % 8), i + 1));
            list.add(new RouteConfig("*.tenant" + i + ".example.net", List.of(), "pool" + (i % 8), half + i + 1));
        }
        table = RouteTable.of(new TlsListenerConfig(list, "fallback", NoSniAction.DEFAULT, null,
                TlsListenerConfig.DEFAULT_CLIENT_HELLO_TIMEOUT, TlsListenerConfig.DEFAULT_MAX_CLIENT_HELLO,
                Duration.ZERO));
        int names = Math.min(64, half);
        exactNames = new String[names];
        wildcardNames = new String[names];
        unknownNames = new String[names];
        for (int k = 0; k < names; k++) {
            // Spread over the whole table rather than its first entries.
            int i = (int) ((long) k * half / names);
            exactNames[k] = "svc" + i + ".example.com";
            wildcardNames[k] = "api.tenant" + i + ".example.net";
            unknownNames[k] = "svc" + i + ".example.org";
        }
        alpn = List.of("h2", "http/1.1");
        check(exactNames, RouteMatch.Kind.EXACT);
        check(wildcardNames, RouteMatch.Kind.WILDCARD);
        check(unknownNames, RouteMatch.Kind.DEFAULT);
    }

    private void check(String[] names, RouteMatch.Kind expected) {
        for (String name : names) {
            RouteMatch m = table.route(name, alpn);
            if (m == null || m.kind() != expected) {
                throw new IllegalStateException(name + ": expected a " + expected + " match, got " + m);
            }
        }
    }

    private int nextIndex(int length) {
        int i = next + 1;
        next = i == length ? 0 : i;
        return next;
    }

    @Benchmark
    public RouteMatch exactHit() {
        return table.route(exactNames[nextIndex(exactNames.length)], alpn);
    }

    @Benchmark
    public RouteMatch wildcardHit() {
        return table.route(wildcardNames[nextIndex(wildcardNames.length)], alpn);
    }

    @Benchmark
    public RouteMatch miss() {
        return table.route(unknownNames[nextIndex(unknownNames.length)], alpn);
    }
}
