package io.sluice.registry;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter, the one retry pace of every registry watch (Consul discovery,
 * the Consul override store): the n-th delay is a random value in [half, whole] of
 * {@code min(max, initial * 2^n)}. Not thread-safe; owned by the one thread that retries.
 * (ZooKeeper clients retry with Curator's own policy; see {@code ZooKeeperClient}.)
 */
public final class Backoff {

    /** What every Consul watch uses: 200 ms doubling to 10 s. */
    public static final long INITIAL_MILLIS = 200;
    public static final long MAX_MILLIS = 10_000;

    private final long initialMillis;
    private final long maxMillis;
    private final DoubleSupplier random;
    private int attempt;

    public Backoff(long initialMillis, long maxMillis, DoubleSupplier random) {
        if (initialMillis <= 0 || maxMillis < initialMillis) {
            throw new IllegalArgumentException("backoff " + initialMillis + ".." + maxMillis + " ms");
        }
        this.initialMillis = initialMillis;
        this.maxMillis = maxMillis;
        this.random = random;
    }

    /** 200 ms .. 10 s with random jitter. */
    public static Backoff standard() {
        return new Backoff(INITIAL_MILLIS, MAX_MILLIS, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The delay before the next retry; each call doubles the ceiling until it reaches the cap. */
    public long nextDelayMillis() {
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
    public void reset() {
        attempt = 0;
    }
}
