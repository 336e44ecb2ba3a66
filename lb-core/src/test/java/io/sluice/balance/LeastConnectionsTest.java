package io.sluice.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sluice.backend.Backend;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {

    private static void open(Backend b, int n) {
        for (int i = 0; i < n; i++) {
            b.connectionOpened();
        }
    }

    @Test
    void newConnectionsGoToTheLeastLoaded() {
        List<Backend> bs = TestBackends.of("a:1", "b:1", "c:1");
        open(bs.get(0), 3);
        open(bs.get(1), 1);
        open(bs.get(2), 2);
        Balancer lc = Balancer.leastConnections(bs);
        assertSame(bs.get(1), lc.pick(0, List.of()));
        // Long-lived connections: keep opening on whatever is picked; loads converge to equal.
        for (int i = 0; i < 600; i++) {
            lc.pick(0, List.of()).connectionOpened();
        }
        assertEquals(202, bs.get(0).activeConnections());
        assertEquals(202, bs.get(1).activeConnections());
        assertEquals(202, bs.get(2).activeConnections());
        // A backend whose connections close becomes the choice again.
        for (int i = 0; i < 5; i++) {
            bs.get(2).connectionClosed();
        }
        assertSame(bs.get(2), lc.pick(0, List.of()));
    }

    @Test
    void weightedLoadIsProportional() {
        List<Backend> bs = TestBackends.of("small:1", "big:3");
        Balancer lc = Balancer.leastConnections(bs);
        // Idle: (0+1)/3 < (0+1)/1, the heavy backend first.
        assertSame(bs.get(1), lc.pick(0, List.of()));
        for (int i = 0; i < 400; i++) {
            lc.pick(0, List.of()).connectionOpened();
        }
        assertEquals(100, bs.get(0).activeConnections());
        assertEquals(300, bs.get(1).activeConnections());
        // small has 1 active: (1+1)/1 = 2 > big's (2+1)/3 = 1.
        List<Backend> cs = TestBackends.of("small:1", "big:3");
        open(cs.get(0), 1);
        open(cs.get(1), 2);
        assertSame(cs.get(1), Balancer.leastConnections(cs).pick(0, List.of()));
    }

    @Test
    void tiesRotateInsteadOfAlwaysTheFirst() {
        List<Backend> bs = TestBackends.equal(4, 2);
        Balancer lc = Balancer.leastConnections(bs);
        Set<Backend> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(lc.pick(0, List.of()));   // nothing opened: all tied
        }
        assertEquals(4, seen.size());
    }

    @Test
    void exclusionsAreSkipped() {
        List<Backend> bs = TestBackends.of("a:1", "b:1", "c:1");
        open(bs.get(1), 5);
        open(bs.get(2), 9);
        Balancer lc = Balancer.leastConnections(bs);
        assertSame(bs.get(1), lc.pick(0, Set.of(bs.get(0))));
        assertSame(bs.get(2), lc.pick(0, Set.of(bs.get(0), bs.get(1))));
        assertNull(lc.pick(0, bs));
    }
}
