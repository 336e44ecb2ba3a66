package io.sluice.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void backoffDoublesToItsCapWithJitter() {
        Backoff top = new Backoff(200, 10_000, () -> 1.0);
        long[] expected = {200, 400, 800, 1600, 3200, 6400, 10_000, 10_000};
        for (long e : expected) {
            assertEquals(e, top.nextDelayMillis());
        }
        Backoff bottom = new Backoff(200, 10_000, () -> 0.0);
        assertEquals(100, bottom.nextDelayMillis());
        top.reset();
        assertEquals(200, top.nextDelayMillis());
    }
}
