package io.sluice.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.backend.Backend;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomTwoChoicesTest {

    @Test
    void idleBackendsAreChosenByWeight() {
        List<Backend> bs = TestBackends.of("a:1", "b:2", "c:3", "d:2", "off:0");
        Map<String, Integer> counts = TestBackends.count(Balancer.randomTwo(bs), 20_000, List.of());
        assertFalse(counts.containsKey("off"));
        assertFalse(counts.containsKey("null"));
        // With no load every pick is the first draw, i.e. weighted random; 8 shares of 2500.
        assertShare(counts, "a", 2_500);
        assertShare(counts, "b", 5_000);
        assertShare(counts, "c", 7_500);
        assertShare(counts, "d", 5_000);
    }

    private static void assertShare(Map<String, Integer> counts, String name, int expected) {
        int got = counts.getOrDefault(name, 0);
        assertTrue(Math.abs(got - expected) < expected * 0.1 + 100, name + ": " + got + " expected ~" + expected);
    }

    @Test
    void theMoreLoadedOfTwoIsNeverChosen() {
        List<Backend> bs = TestBackends.equal(3, 1);
        for (int i = 0; i < 10; i++) {
            bs.get(0).connectionOpened();
        }
        // The two draws are distinct, so the busy backend always meets an idle one and loses.
        Map<String, Integer> counts = TestBackends.count(Balancer.randomTwo(bs), 5_000, List.of());
        assertFalse(counts.containsKey(bs.get(0).name()), counts.toString());
        assertEquals(2, counts.size());
    }

    @Test
    void loadIsComparedPerUnitOfWeight() {
        List<Backend> bs = TestBackends.of("big:10", "small:1");
        for (int i = 0; i < 5; i++) {
            bs.get(0).connectionOpened();   // 5/10 < 1/1
        }
        bs.get(1).connectionOpened();
        Balancer r2 = Balancer.randomTwo(bs);
        for (int i = 0; i < 1000; i++) {
            assertSame(bs.get(0), r2.pick(0, List.of()));
        }
    }

    @Test
    void excludedAreNeverChosen() {
        List<Backend> bs = TestBackends.of("a:1", "b:5", "c:1");
        Balancer r2 = Balancer.randomTwo(bs);
        Map<String, Integer> counts = TestBackends.count(r2, 5_000, Set.of(bs.get(1)));
        assertEquals(Set.of("a", "c"), counts.keySet());
        assertSame(bs.get(2), r2.pick(0, Set.of(bs.get(0), bs.get(1))));
        assertNull(r2.pick(0, bs));
    }
}
