package io.sluice.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.limit.ConnectionLimiter.Admission;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The limiter on its own: counting, both limits, and no drift under concurrent acquire/release. */
class ConnectionLimiterTest {

    private static InetAddress source(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) i});
    }

    @Test
    void globalAndPerSourceLimits() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(3, 2);
        assertEquals(Admission.ADMITTED, limiter.tryAcquire(source(1)));
        assertEquals(Admission.ADMITTED, limiter.tryAcquire(source(1)));
        assertEquals(Admission.OVER_SOURCE_LIMIT, limiter.tryAcquire(source(1)));
        assertEquals(Admission.ADMITTED, limiter.tryAcquire(source(2)));
        assertEquals(Admission.OVER_GLOBAL_LIMIT, limiter.tryAcquire(source(3)));
        assertEquals(3, limiter.current());
        assertEquals(2, limiter.trackedSources());
        limiter.release(source(1));
        assertEquals(Admission.ADMITTED, limiter.tryAcquire(source(3)));
        limiter.release(source(1));
        limiter.release(source(2));
        limiter.release(source(3));
        assertEquals(0, limiter.current());
        assertEquals(0, limiter.trackedSources());
    }

    @Test
    void noPerSourceLimitKeepsNoMap() throws Exception {
        ConnectionLimiter limiter = new ConnectionLimiter(10, 0);
        for (int i = 0; i < 10; i++) {
            assertEquals(Admission.ADMITTED, limiter.tryAcquire(source(1)));
        }
        assertEquals(Admission.OVER_GLOBAL_LIMIT, limiter.tryAcquire(source(2)));
        assertEquals(0, limiter.trackedSources());
    }

    @Test
    void concurrentAcquireReleaseEndsAtZero() throws Exception {
        int threads = 4;
        int iterations = 10_000;
        // Tight limits so every outcome happens: 4 threads over 3 sources with 2 per source and 5 in all.
        ConnectionLimiter limiter = new ConnectionLimiter(5, 2);
        InetAddress[] sources = {source(1), source(2), source(3)};
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger overGlobal = new AtomicInteger();
        AtomicInteger overSource = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < iterations; i++) {
                        InetAddress src = sources[(id + i) % sources.length];
                        // Sometimes hold two at once, so the global cap is reached too.
                        Admission first = limiter.tryAcquire(src);
                        Admission second = i % 2 == 0 ? limiter.tryAcquire(src) : null;
                        for (Admission a : new Admission[] {first, second}) {
                            if (a == null) {
                                continue;
                            }
                            switch (a) {
                                case ADMITTED -> admitted.incrementAndGet();
                                case OVER_GLOBAL_LIMIT -> overGlobal.incrementAndGet();
                                case OVER_SOURCE_LIMIT -> overSource.incrementAndGet();
                            }
                        }
                        if (second == Admission.ADMITTED) {
                            limiter.release(src);
                        }
                        if (first == Admission.ADMITTED) {
                            limiter.release(src);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("limiter under 4 threads: admitted " + admitted + ", over-global " + overGlobal
                + ", over-source " + overSource);
        assertEquals(0, limiter.current(), "total must return to zero");
        assertEquals(0, limiter.trackedSources(), "no per-source counter may be left behind");
        assertTrue(admitted.get() > 0);
    }
}
