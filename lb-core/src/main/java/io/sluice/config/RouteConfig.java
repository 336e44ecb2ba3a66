package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * One route of a {@code mode: tls} listener.
 *
 * @param sni  the server name, lowercase and without a trailing dot: an exact name like
 *             {@code chat.example.com}, or a wildcard {@code *.example.com} that matches exactly one more
 *             label in front ({@code a.example.com}, not {@code example.com} nor {@code a.b.example.com})
 * @param alpn the ALPN protocols this route is for, unmodifiable; empty means any (or none). A route with
 *             ALPN is chosen only when the client offers one of them, and is then preferred over a route
 *             with the same {@code sni} and no ALPN
 * @param pool name of a pool of the same {@link SluiceConfig}
 * @param line 1-based YAML line of the route entry
 */
public record RouteConfig(String sni, List<String> alpn, String pool, int line) {

    public RouteConfig {
        Objects.requireNonNull(sni, "sni");
        Objects.requireNonNull(pool, "pool");
        alpn = List.copyOf(alpn);
    }

    /** Whether {@link #sni()} is a wildcard ({@code *.example.com}). */
    public boolean wildcard() {
        return sni.startsWith("*.");
    }
}
