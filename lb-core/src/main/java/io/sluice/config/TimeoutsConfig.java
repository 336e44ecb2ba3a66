package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Process-wide timeouts.
 *
 * @param idle          a relay with no bytes in either direction for this long is closed;
 *                      {@link Duration#ZERO} means never
 * @param shutdownGrace on shutdown, how long open connections may drain before they are closed
 */
public record TimeoutsConfig(Duration idle, Duration shutdownGrace) {

    public static final TimeoutsConfig DEFAULTS = new TimeoutsConfig(Duration.ofHours(1), Duration.ofSeconds(30));

    public TimeoutsConfig {
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    }
}
