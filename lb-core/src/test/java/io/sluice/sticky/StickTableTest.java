package io.sluice.sticky;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The stick table on a fake nano clock: expiry, pinning, eviction order, replacement, hard limit. */
class StickTableTest {

    private static final Duration TTL = Duration.ofSeconds(60);
    private static final long TTL_NANOS = TTL.toNanos();

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private StickTable table(int capacity) {
        return new StickTable(TTL, capacity, now::get);
    }

    private void advance(long nanos) {
        now.addAndGet(nanos);
    }

    static StickyKey key(int i) {
        return new StickyKey(new byte[] {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
    }

    @Test
    void unpinnedEntryExpiresAfterTtl() {
        StickTable t = table(100);
        t.remember(key(1), "a");
        advance(TTL_NANOS);
        assertEquals(0, t.sweep(), "exactly at the ttl it is still fresh");
        assertNotNull(t.get(key(1)));
        advance(1);
        assertEquals(1, t.sweep());
        assertNull(t.get(key(1)));
        assertEquals(0, t.size());
    }

    @Test
    void pinnedEntrySurvivesSweepsAndExpiresTtlAfterUnpin() {
        StickTable t = table(100);
        StickTable.Entry e = t.remember(key(1), "a");
        e.pin();
        for (int i = 0; i < 5; i++) {
            advance(TTL_NANOS * 2);
            assertEquals(0, t.sweep());
            assertSame(e, t.get(key(1)));
        }
        e.unpin();
        advance(TTL_NANOS / 2);
        assertEquals(0, t.sweep(), "the ttl counts from the unpin, not from the pin");
        assertSame(e, t.get(key(1)));
        advance(TTL_NANOS / 2 + 1);
        assertEquals(1, t.sweep());
        assertNull(t.get(key(1)));
    }

    @Test
    void twoPinsNeedTwoUnpins() {
        StickTable t = table(100);
        StickTable.Entry e = t.remember(key(1), "a");
        e.pin();
        e.pin();
        e.unpin();
        advance(TTL_NANOS * 3);
        assertEquals(0, t.sweep(), "one connection still uses the entry");
        e.unpin();
        advance(TTL_NANOS + 1);
        assertEquals(1, t.sweep());
    }

    @Test
    void overCapacityEvictsOldestUnpinnedFirstAndNeverPinned() {
        StickTable t = table(3);
        for (int i = 0; i < 6; i++) {
            t.remember(key(i), "b" + i); // key(0) oldest ... key(5) newest
            advance(1_000);
        }
        t.get(key(0)).pin(); // oldest, but in use: refreshed and pinned
        t.get(key(0)).unpin();
        t.get(key(1)).pin(); // second oldest, still in use
        assertEquals(3, t.sweep());
        assertEquals(3, t.size());
        assertNotNull(t.get(key(0)), "key 0 was used most recently");
        assertNotNull(t.get(key(1)), "a pinned entry must never be evicted");
        assertNull(t.get(key(2)));
        assertNull(t.get(key(3)));
        assertNull(t.get(key(4)));
        assertNotNull(t.get(key(5)));
    }

    @Test
    void allPinnedOverCapacityEvictsNothing() {
        StickTable t = table(2);
        for (int i = 0; i < 5; i++) {
            t.remember(key(i), "a").pin();
            advance(1_000);
        }
        assertEquals(0, t.sweep());
        assertEquals(5, t.size());
    }

    @Test
    void rememberReplacesTheBackendOfAnExistingEntry() {
        StickTable t = table(100);
        StickTable.Entry first = t.remember(key(7), "a");
        StickTable.Entry second = t.remember(key(7), "b");
        assertSame(first, second);
        assertEquals("b", t.get(key(7)).backendName());
        assertEquals(1, t.size());
    }

    @Test
    void rememberRefreshesTheEntry() {
        StickTable t = table(100);
        t.remember(key(7), "a");
        advance(TTL_NANOS);
        t.remember(key(7), "b");
        advance(TTL_NANOS);
        assertEquals(0, t.sweep(), "remembered again one ttl ago: still fresh");
        advance(1);
        assertEquals(1, t.sweep());
    }

    @Test
    void hardLimitStopsInserts() {
        StickTable t = table(10);
        int hard = t.hardLimit();
        assertEquals(10 + 1024, hard);
        for (int i = 0; i < hard; i++) {
            assertNotNull(t.remember(key(i), "a"), "insert " + i);
        }
        assertEquals(hard, t.size());
        assertNull(t.remember(key(hard), "a"), "past the hard limit new keys are not remembered");
        assertNull(t.get(key(hard)));
        assertEquals(hard, t.size());
        assertNotNull(t.remember(key(0), "b"), "known keys can still be updated");
        assertEquals("b", t.get(key(0)).backendName());

        assertEquals(hard - 10, t.sweep());
        assertEquals(10, t.size());
        assertNotNull(t.remember(key(hard), "a"), "after a sweep inserts work again");
    }

    /**
     * Event loops touch entries (pin, unpin, remember) while the control thread's sweep sorts the
     * unpinned ones by last use. The sweep must cope with a timestamp changing under it; the clock
     * here only moves forward, as System.nanoTime does.
     */
    @Test
    void sweepSurvivesEntriesTouchedWhileItEvicts() throws Exception {
        int n = 20_000;
        int capacity = 18_000;
        AtomicLong monotonic = new AtomicLong();
        for (int attempt = 0; attempt < 10; attempt++) {
            StickTable t = new StickTable(TTL, capacity, monotonic::incrementAndGet);
            StickTable.Entry[] entries = new StickTable.Entry[n];
            for (int i = 0; i < n; i++) {
                entries[i] = t.remember(key(i), "a");
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread eventLoop = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 50_000_000 && !stop.get(); i++) {
                    StickTable.Entry e = entries[random.nextInt(n)];
                    e.pin(); // a connection opens and closes
                    e.unpin();
                }
            }, "fake-event-loop");
            eventLoop.start();
            try {
                t.sweep();
            } catch (IllegalArgumentException e) {
                throw new AssertionError("sweep failed on attempt " + attempt + " while entries were being touched", e);
            } finally {
                stop.set(true);
                eventLoop.join(10_000);
            }
            t.sweep();
            assertEquals(capacity, t.size(), "a quiet sweep brings the table to capacity");
        }
    }
}
