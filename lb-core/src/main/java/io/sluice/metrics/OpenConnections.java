package io.sluice.metrics;

/**
 * Where the listener gauges read their value: the open client connections of one listener. The
 * relay's connection tracker provides it; this interface lives here so metrics needs nothing from
 * the relay (the relay already depends on metrics for its counters).
 *
 * <p>Called from the scrape thread (the admin executor); implementations must be thread-safe.
 */
@FunctionalInterface
public interface OpenConnections {

    /** Connections open now on {@code listener} (0 for a listener that never had one). */
    int size(String listener);
}
