package io.sluice.config;

import java.time.Duration;

/**
 * Defaults for draining a pool's backends (an admin call may override both).
 *
 * @param deadline  after this, a drained backend's remaining connections are closed; null = never
 * @param closeRate connections closed per second at a deadline or a maint kill (with jitter), &gt; 0
 */
public record DrainConfig(Duration deadline, double closeRate) {

    public static final DrainConfig DEFAULTS = new DrainConfig(null, 100);
}
