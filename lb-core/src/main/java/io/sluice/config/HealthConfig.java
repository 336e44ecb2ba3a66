package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A pool's active health check.
 *
 * @param type     tcp | http | tls-hello | none
 * @param interval time between checks of one backend (jittered by up to 10%), &gt; 0
 * @param timeout  one check's time limit, &gt; 0 and &lt;= interval
 * @param rise     consecutive successes that bring a DOWN backend UP, 1..100
 * @param fall     consecutive failures that take an UP backend DOWN, 1..100
 * @param http     the HTTP check's settings (used when type is http)
 * @param verifyCertificate tls-hello: verify the backend certificate against the JVM's trust store
 */
public record HealthConfig(HealthCheckType type, Duration interval, Duration timeout, int rise, int fall,
                           HttpCheckConfig http, boolean verifyCertificate) {

    public static final HealthConfig DEFAULTS = new HealthConfig(
            HealthCheckType.TCP, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, HttpCheckConfig.DEFAULTS, false);

    public HealthConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(http, "http");
    }
}
