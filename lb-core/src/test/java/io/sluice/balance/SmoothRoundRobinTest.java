package io.sluice.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.backend.Backend;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class SmoothRoundRobinTest {

    private static String sequence(Balancer b, int picks, Collection<Backend> excluded) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            sb.append(b.pick(0, excluded).name());
        }
        return sb.toString();
    }

    @Test
    void equalWeightsAlternate() {
        assertEquals("ababababab", sequence(Balancer.roundRobin(TestBackends.of("a:1", "b:1")), 10, List.of()));
        // Same sequence whatever the input order and whatever the common factor of the weights.
        assertEquals("ababababab", sequence(Balancer.roundRobin(TestBackends.of("b:7", "a:7")), 10, List.of()));
    }

    @Test
    void nginxSmoothOrder() {
        Balancer b = Balancer.roundRobin(TestBackends.of("c:1", "a:5", "b:1"));
        assertEquals("aabacaa" + "aabacaa" + "aabacaa", sequence(b, 21, List.of()));
    }

    @Test
    void noBackendTwiceInARowAmongEqualWeights() {
        Balancer b = Balancer.roundRobin(TestBackends.of("a:3", "b:3", "c:3", "d:1"));
        String seq = sequence(b, 1000, List.of());
        for (int i = 1; i < seq.length(); i++) {
            assertNotEquals(seq.charAt(i - 1), seq.charAt(i), "repeat at " + i + " in " + seq.substring(0, 20));
        }
    }

    @Test
    void heavyBackendIsSpreadOut() {
        // Weights 2,1 must give a b a, never a a b.
        assertEquals("abaaba", sequence(Balancer.roundRobin(TestBackends.of("a:2", "b:1")), 6, List.of()));
    }

    @Test
    void weightedSharesAreExactPerPeriod() {
        Balancer b = Balancer.roundRobin(TestBackends.of("x:300", "y:200", "z:100"));
        String seq = sequence(b, 3000, List.of());
        Map<Character, Integer> total = new HashMap<>();
        for (char c : seq.toCharArray()) {
            total.merge(c, 1, Integer::sum);
        }
        assertEquals(Map.of('x', 1500, 'y', 1000, 'z', 500), total);
        // gcd 100: period 6, and every period holds exactly 3 x, 2 y, 1 z.
        for (int p = 0; p < 3000; p += 6) {
            String window = seq.substring(p, p + 6);
            assertEquals(3, window.chars().filter(c -> c == 'x').count(), window);
            assertEquals(2, window.chars().filter(c -> c == 'y').count(), window);
        }
    }

    @Test
    void concurrentPicksKeepExactTotals() throws Exception {
        Balancer b = Balancer.roundRobin(TestBackends.of("a:5", "b:3", "c:2"));   // period 10
        Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        int threads = 4;
        int picks = 10_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < picks; i++) {
                    counts.computeIfAbsent(b.pick(0, List.of()).name(), k -> new LongAdder()).increment();
                }
            });
            th.start();
            ts.add(th);
        }
        start.countDown();
        for (Thread th : ts) {
            th.join();
        }
        // 40000 picks = 4000 whole periods, whatever the interleaving.
        assertEquals(20_000, counts.get("a").sum());
        assertEquals(12_000, counts.get("b").sum());
        assertEquals(8_000, counts.get("c").sum());
    }

    @Test
    void exclusionsAdvanceToTheNextAllowedBackend() {
        List<Backend> bs = TestBackends.of("a:5", "b:1", "c:1");
        Balancer b = Balancer.roundRobin(bs);
        Set<Backend> noA = Set.of(bs.get(0));
        // a a b a c a a with a excluded: each pick walks to the next b or c in the sequence.
        assertEquals("bbbccbb", sequence(b, 7, noA));
        assertNull(b.pick(0, bs));
        assertEquals("c", b.pick(0, Set.of(bs.get(0), bs.get(1))).name());
    }

    @Test
    void longPeriodFallsBackToTheSynchronizedLoopWithTheSameSequence() {
        List<Backend> bs = TestBackends.of("a:5", "b:1", "c:1", "d:4");
        SmoothRoundRobin fast = new SmoothRoundRobin(bs);
        SmoothRoundRobin slow = new SmoothRoundRobin(bs, 4);
        assertTrue(fast.precomputed());
        assertFalse(slow.precomputed());
        assertEquals(sequence(fast, 200, List.of()), sequence(slow, 200, List.of()));
        assertNull(slow.pick(0, bs));
        Set<Backend> noA = Set.of(bs.get(0));
        String seq = sequence(slow, 100, noA);
        assertFalse(seq.contains("a"));
    }

    @Test
    void hugeCoprimeWeightsUseTheFallback() {
        List<Backend> bs = TestBackends.of("a:1000003", "b:1000033");
        SmoothRoundRobin rr = new SmoothRoundRobin(bs);
        assertFalse(rr.precomputed());
        assertEquals("babababa", sequence(rr, 8, List.of()));
    }

    @Test
    void periodIsSumOverGcd() {
        assertEquals(6, SmoothRoundRobin.period(Candidates.eligible(TestBackends.of("x:300", "y:200", "z:100"))));
        assertEquals(7, SmoothRoundRobin.period(Candidates.eligible(TestBackends.of("a:5", "b:1", "c:1"))));
        assertEquals(0, SmoothRoundRobin.period(Candidates.eligible(List.of())));
    }
}
