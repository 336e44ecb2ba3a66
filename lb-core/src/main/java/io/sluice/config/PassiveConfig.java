package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive health: connect failures seen by real traffic.
 *
 * @param consecutiveFailures failures in a row that mark a backend DOWN; 0 turns passive checks off
 * @param ejection            how long it then stays out before active checks (or, with type none,
 *                            the end of the ejection) can bring it back
 */
public record PassiveConfig(int consecutiveFailures, Duration ejection) {

    public static final PassiveConfig DEFAULTS = new PassiveConfig(5, Duration.ofSeconds(30));

    public PassiveConfig {
        Objects.requireNonNull(ejection, "ejection");
    }
}
