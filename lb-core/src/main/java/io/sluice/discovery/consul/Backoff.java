package io.sluice.discovery.consul;

import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter: the n-th delay is a random value in
 * [half, whole] of {@code min(max, initial * 2^n)}. Not thread-safe; owned by the watch thread.
 */
final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private final DoubleSupplier random;
    private int attempt;

    Backoff(long initialMillis, long maxMillis, DoubleSupplier random) {
        if (initialMillis <= 0 || maxMillis < initialMillis) {
            throw new IllegalArgumentException("backoff " + initialMillis + ".." + maxMillis + " ms");
        }
        this.initialMillis = initialMillis;
        this.maxMillis = maxMillis;
        this.random = random;
    }

    /** The delay before the next retry; each call doubles the ceiling until it reaches the cap. */
    long nextDelayMillis() {
        long ceiling = initialMillis << Math.min(attempt, 30);
        if (ceiling <= 0 || ceiling > maxMillis) {
            ceiling = maxMillis;
        } else {
            attempt++;
        }
        // "Equal jitter": never shorter than half the ceiling, so a flapping registry is not hammered.
        return ceiling / 2 + (long) (random.getAsDouble() * (ceiling - ceiling / 2));
    }

    /** After a success: the next failure starts again from the initial delay. */
    void reset() {
        attempt = 0;
    }
}
