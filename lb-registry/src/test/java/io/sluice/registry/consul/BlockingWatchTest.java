package io.sluice.registry.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BlockingWatchTest {

    @Test
    void indexRulesOfABlockingClient() {
        assertEquals(7, BlockingWatch.nextIndex(5, 7));
        assertEquals(0, BlockingWatch.nextIndex(9, 3));
        assertEquals(1, BlockingWatch.nextIndex(9, 0));
    }
}
