package io.sluice.route;

import java.util.Objects;

/**
 * The outcome of {@link RouteTable#route}: the pool, and why it was chosen (for the access log and
 * metrics). Instances are created with the table and reused, so routing allocates nothing.
 *
 * @param pool    name of the chosen pool
 * @param kind    which rule chose it
 * @param pattern the {@code sni} of the route that matched ({@code chat.example.com}, {@code *.example.com});
 *                null for {@link Kind#DEFAULT}
 */
public record RouteMatch(String pool, Kind kind, String pattern) {

    public RouteMatch {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.DEFAULT) != (pattern == null)) {
            throw new IllegalArgumentException("a pattern goes with exact and wildcard matches only");
        }
    }

    /** Which rule chose the pool. */
    public enum Kind {
        /** A route whose {@code sni} is the client's server name. */
        EXACT("exact"),
        /** A {@code *.example.com} route. */
        WILDCARD("wildcard"),
        /** The listener's {@code default-pool}: no SNI, or an SNI no route matched. */
        DEFAULT("default");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        /** {@code exact}, {@code wildcard} or {@code default}, for logs and metric tags. */
        public String word() {
            return word;
        }
    }
}
