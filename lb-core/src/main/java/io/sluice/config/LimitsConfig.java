package io.sluice.config;

/**
 * Process-wide connection limits; connections beyond them are refused at accept.
 *
 * @param maxConnections          open client connections across all listeners, at least 1
 * @param maxConnectionsPerSource open client connections from one source address; 0 means unlimited
 */
public record LimitsConfig(int maxConnections, int maxConnectionsPerSource) {

    public static final LimitsConfig DEFAULTS = new LimitsConfig(100_000, 0);
}
