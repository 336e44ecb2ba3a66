package io.sluice.balance;

import static io.sluice.balance.TestBackends.backend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.backend.Backend;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaglevTableTest {

    private static final int M = MaglevTable.DEFAULT_SIZE;

    /** Owner name of every slot; slot s is what key hash s maps to. */
    private static String[] owners(MaglevTable t) {
        String[] out = new String[t.size()];
        for (int s = 0; s < out.length; s++) {
            out[s] = t.lookup(s).name();
        }
        return out;
    }

    @Test
    void everySlotIsFilledAndEqualWeightsShareWithinOnePercent() {
        MaglevTable t = MaglevTable.build(TestBackends.equal(5, 1), M);
        assertEquals(M, t.size());
        for (int s = 0; s < M; s++) {
            assertNotNull(t.lookup(s), "slot " + s);
        }
        Map<String, Integer> slots = t.slotsByBackend();
        assertEquals(5, slots.size());
        assertEquals(M, slots.values().stream().mapToInt(Integer::intValue).sum());
        double ideal = M / 5.0;
        for (Map.Entry<String, Integer> e : slots.entrySet()) {
            assertTrue(Math.abs(e.getValue() - ideal) / ideal < 0.01, e.toString());
        }
    }

    @Test
    void weightedSharesAreProportional() {
        MaglevTable t = MaglevTable.build(TestBackends.of("light:100", "heavy:200"), M);
        Map<String, Integer> slots = t.slotsByBackend();
        double light = slots.get("light") / (double) M;
        assertTrue(Math.abs(light - 1 / 3.0) / (1 / 3.0) < 0.02, "light share " + light);

        MaglevTable t3 = MaglevTable.build(TestBackends.of("a:1", "b:2", "c:3", "d:10"), M);
        Map<String, Integer> s3 = t3.slotsByBackend();
        int[] weights = {1, 2, 3, 10};
        String[] names = {"a", "b", "c", "d"};
        for (int i = 0; i < 4; i++) {
            double ideal = M * weights[i] / 16.0;
            assertTrue(Math.abs(s3.get(names[i]) - ideal) / ideal < 0.02, names[i] + " " + s3.get(names[i]));
        }
    }

    @Test
    void removingOneOfTenBackendsMovesFewOtherSlots() {
        List<Backend> ten = TestBackends.equal(10, 1);
        String[] before = owners(MaglevTable.build(ten, M));
        double worst = 0;
        double sum = 0;
        for (Backend removed : ten) {
            List<Backend> nine = new ArrayList<>(ten);
            nine.remove(removed);
            String[] after = owners(MaglevTable.build(nine, M));
            int others = 0;
            int moved = 0;
            for (int s = 0; s < M; s++) {
                if (before[s].equals(removed.name())) {
                    assertNotEquals(removed.name(), after[s]);
                    continue;
                }
                others++;
                if (!before[s].equals(after[s])) {
                    moved++;
                }
            }
            double fraction = moved / (double) others;
            worst = Math.max(worst, fraction);
            sum += fraction;
        }
        System.out.printf("maglev M=%d remove 1 of 10: other slots moved mean %.3f%% worst %.3f%%%n",
                M, 100 * sum / ten.size(), 100 * worst);
        assertTrue(worst < 0.03, "worst fraction of other slots moved " + worst);
    }

    @Test
    void addingAnEleventhBackendMovesAboutOneEleventh() {
        List<Backend> ten = TestBackends.equal(10, 1);
        List<Backend> eleven = TestBackends.equal(11, 1);
        String newName = eleven.get(10).name();
        String[] before = owners(MaglevTable.build(ten, M));
        String[] after = owners(MaglevTable.build(eleven, M));
        int moved = 0;
        int movedElsewhere = 0;
        for (int s = 0; s < M; s++) {
            if (!before[s].equals(after[s])) {
                moved++;
                if (!after[s].equals(newName)) {
                    movedElsewhere++;
                }
            }
        }
        double fraction = moved / (double) M;
        System.out.printf("maglev M=%d add 11th to 10: slots moved %.3f%% (ideal %.3f%%), between old backends %.3f%%%n",
                M, 100 * fraction, 100 / 11.0, 100.0 * movedElsewhere / M);
        assertTrue(fraction >= 1 / 11.0 - 0.005, "moved " + fraction);
        assertTrue(fraction < 1 / 11.0 + 0.03, "moved " + fraction);
    }

    @Test
    void inputOrderDoesNotMatter() {
        List<Backend> list = TestBackends.equal(7, 3);
        list.add(backend("zeta", 5));
        list.add(backend("alpha", 1));
        MaglevTable a = MaglevTable.build(list, M);
        List<Backend> shuffled = new ArrayList<>(list);
        Collections.shuffle(shuffled, new Random(1));
        Collections.reverse(list);
        MaglevTable b = MaglevTable.build(shuffled, M);
        MaglevTable c = MaglevTable.build(list, M);
        assertEquals(a.fingerprint(), b.fingerprint());
        assertEquals(a.fingerprint(), c.fingerprint());
        assertTrue(Arrays.equals(owners(a), owners(b)));
        assertTrue(Arrays.equals(owners(a), owners(c)));
    }

    @Test
    void tableIsDeterministicAndFingerprintDependsOnNamesOnly() {
        // Fresh Backend objects with other addresses, as on another node.
        List<Backend> one = TestBackends.of("web-1:1", "web-2:2", "web-3:1");
        List<Backend> two = new ArrayList<>();
        for (Backend b : one) {
            two.add(new Backend(b.name(), InetSocketAddress.createUnresolved("192.0.2.9", 9), b.weight()));
        }
        MaglevTable a = MaglevTable.build(one, M);
        MaglevTable b = MaglevTable.build(two, M);
        assertEquals(a.fingerprint(), b.fingerprint());
        assertTrue(Arrays.equals(owners(a), owners(b)));
        // Pinned: a change here means every node's table (and every client's backend) changed.
        assertEquals(Map.of("web-1", 16385, "web-2", 32768, "web-3", 16384), a.slotsByBackend());
        assertEquals(0xD875BB826049A62CL, a.fingerprint());

        MaglevTable reweighted = MaglevTable.build(TestBackends.of("web-1:1", "web-2:1", "web-3:1"), M);
        assertNotEquals(a.fingerprint(), reweighted.fingerprint());
        MaglevTable renamed = MaglevTable.build(TestBackends.of("web-1:1", "web-2:2", "web-4:1"), M);
        assertNotEquals(a.fingerprint(), renamed.fingerprint());
    }

    @Test
    void weightZeroBackendsAreAbsent() {
        MaglevTable with = MaglevTable.build(TestBackends.of("a:1", "b:1", "idle:0"), M);
        MaglevTable without = MaglevTable.build(TestBackends.of("a:1", "b:1"), M);
        assertEquals(without.fingerprint(), with.fingerprint());
        assertEquals(Set.of("a", "b"), with.slotsByBackend().keySet());
    }

    @Test
    void badTableSizesAreRejected() {
        List<Backend> three = TestBackends.equal(3, 1);
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(three, 65536));
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(three, 1));
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(three, 0));
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(three, -7));
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(three, 2)); // prime, too small
        assertThrows(IllegalArgumentException.class, () -> Balancer.maglev(three, 100));
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(three, 2147483647)); // prime, too big
        assertEquals(3, MaglevTable.build(three, 3).slotsByBackend().size());
        assertEquals(251, MaglevTable.build(three, 251).size());
    }

    @Test
    void isPrime() {
        assertTrue(MaglevTable.isPrime(2));
        assertTrue(MaglevTable.isPrime(65537));
        assertTrue(MaglevTable.isPrime(655373));
        assertTrue(MaglevTable.isPrime(2147483647));
        assertTrue(!MaglevTable.isPrime(65535));
        assertTrue(!MaglevTable.isPrime(9));
        assertTrue(!MaglevTable.isPrime(Integer.MIN_VALUE));
        assertTrue(MaglevTable.isPrime(251));
        assertTrue(MaglevTable.isPrime(1_000_003));
        assertTrue(!MaglevTable.isPrime(1));
        assertTrue(!MaglevTable.isPrime(1_000_003L * 1_000_033L)); // beyond int: no overflow in the trial loop
    }

    @Test
    void primeAtLeast() {
        assertEquals(65537, MaglevTable.primeAtLeast(65536));
        assertEquals(65537, MaglevTable.primeAtLeast(65537));
        assertEquals(251, MaglevTable.primeAtLeast(250));
        assertEquals(2, MaglevTable.primeAtLeast(-5));
        assertEquals(1_000_003, MaglevTable.primeAtLeast(999_984));
    }

    @Test
    void lookupWithExclusionsWalksForwardAndReturnsNullWhenAllExcluded() {
        List<Backend> bs = TestBackends.equal(4, 1);
        MaglevTable t = MaglevTable.build(bs, 1009);
        for (long key = -500; key < 500; key++) {
            long k = key * 0x9E3779B97F4A7C15L;
            Backend primary = t.lookup(k);
            assertSame(primary, t.lookup(k, List.of()));
            Backend second = t.lookup(k, List.of(primary));
            assertNotNull(second);
            assertNotEquals(primary, second);
            // It is the owner of the first following slot not owned by the primary.
            int s = (int) Long.remainderUnsigned(k, t.size());
            int next = s;
            while (t.lookup(next).equals(primary)) {
                next = (next + 1) % t.size();
            }
            assertSame(t.lookup(next), second);
            Backend third = t.lookup(k, Set.of(primary, second));
            assertTrue(third != primary && third != second);
        }
        assertNull(t.lookup(12345, bs));
        assertNull(Balancer.maglev(bs, 1009).pick(12345, bs));
    }

    @Test
    void emptyTable() {
        MaglevTable t = MaglevTable.build(List.of(), M);
        assertNull(t.lookup(1));
        assertNull(t.lookup(1, List.of(backend("x", 1))));
        assertTrue(t.slotsByBackend().isEmpty());
        assertNull(Balancer.maglev(TestBackends.of("z:0"), M).pick(5, List.of()));
    }

    @Test
    void balancerFollowsTheTable() {
        List<Backend> bs = TestBackends.equal(6, 1);
        Balancer balancer = Balancer.maglev(bs, M);
        MaglevTable t = MaglevTable.build(bs, M);
        for (int i = 0; i < 1000; i++) {
            long k = KeyHash.of("client-" + i, 0);
            assertSame(t.lookup(k), balancer.pick(k, List.of()));
            assertSame(balancer.pick(k, List.of()), balancer.pick(k, List.of()), "sticky");
        }
    }
}
