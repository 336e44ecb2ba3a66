package io.sluice.registry.consul;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sluice.registry.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BlockingWatchTest {

    @Test
    void indexRulesOfABlockingClient() {
        assertEquals(7, BlockingWatch.nextIndex(5, 7));
        assertEquals(0, BlockingWatch.nextIndex(9, 3));
        assertEquals(1, BlockingWatch.nextIndex(9, 0));
    }

    /**
     * The loop over a scripted registry: answers at 5 and 8, two failures, then 3 (a restarted agent),
     * then a query that blocks until close. Checks the index asked each time, one report per
     * reachability change, and that close() cancels the blocked query and ends the thread.
     */
    @Test
    void asksWithTheLastIndexStartsOverAfterFailuresAndStopsOnClose() throws Exception {
        List<Long> asked = new CopyOnWriteArrayList<>();
        List<String> heard = new CopyOnWriteArrayList<>();
        CountDownLatch blocked = new CountDownLatch(1);
        BlockingWatch.Query<String> registry = index -> {
            asked.add(index);
            switch (asked.size()) {
                case 1: return new Indexed<>(5, "a");
                case 2: return new Indexed<>(8, "b");
                case 3: throw new IOException("connection refused");
                case 4: throw new IOException("connection refused");
                case 5: return new Indexed<>(3, "c");
                default:
                    blocked.countDown();
                    Thread.sleep(Long.MAX_VALUE); // a blocking query that never returns by itself
                    throw new AssertionError();
            }
        };
        BlockingWatch<String> watch = new BlockingWatch<>("test-watch", registry, new BlockingWatch.Listener<>() {
            @Override
            public void answer(String value) {
                heard.add(value);
            }

            @Override
            public void reachability(boolean reachable, String reason) {
                heard.add(reachable + ":" + reason);
            }
        }, new Backoff(1, 2, () -> 0.5));

        watch.start(0);
        blocked.await();
        watch.close();
        watch.close();

        assertEquals(List.of(0L, 5L, 8L, 0L, 0L, 3L), asked);
        assertEquals(List.of("a", "b", "false:IOException: connection refused", "true:reachable", "c"), heard);
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("test-watch-")));
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("test-watch-")));
    }
}
