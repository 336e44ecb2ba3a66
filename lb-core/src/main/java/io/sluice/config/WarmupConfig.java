package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The start-up warm-up: synthetic connections through the relay, over loopback, before the daemon
 * binds its listeners (or takes them over), so that the first clients, often a whole reconnect storm
 * after a restart, meet compiled code rather than the interpreter (docs/configuration.md, "warmup").
 *
 * @param connections how many connections to run through; 0 turns the warm-up off
 * @param maxTime     the warm-up ends after this long even if not all connections ran
 */
public record WarmupConfig(int connections, Duration maxTime) {

    /** What a config without a {@code warmup} section gets. */
    public static final WarmupConfig DEFAULTS = new WarmupConfig(3000, Duration.ofSeconds(2));

    /** No warm-up (tests that start many daemons, embedded uses). */
    public static final WarmupConfig OFF = new WarmupConfig(0, Duration.ZERO);

    public WarmupConfig {
        Objects.requireNonNull(maxTime, "maxTime");
        if (connections < 0) {
            throw new IllegalArgumentException("connections must not be negative: " + connections);
        }
    }

    /** Whether any warm-up runs. */
    public boolean enabled() {
        return connections > 0 && !maxTime.isZero();
    }
}
