package io.sluice.agent.config;

import java.time.Duration;

/**
 * How the agent probes the local app.
 *
 * @param type     TCP connect, or HTTP GET expecting 2xx/3xx
 * @param host     the host to probe (default 127.0.0.1)
 * @param port     the port to probe (default: the service's port)
 * @param path     the HTTP path (default {@code /}); unused for TCP
 * @param interval time between probes; Consul's TTL is three of these
 * @param timeout  how long one probe may take, at most {@code interval}
 */
public record CheckConfig(Type type, String host, int port, String path, Duration interval, Duration timeout) {

    /** The kinds of probe. */
    public enum Type { TCP, HTTP }

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    /** Consul's TTL for this check: three intervals, so one late or lost update does not fail it. */
    public Duration ttl() {
        return interval.multipliedBy(3);
    }
}
