package io.sluice.drain;

import io.sluice.proxy.CloseReason;
import io.sluice.proxy.Connection;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes many connections at a capped rate with jitter, so thousands of chat clients cut at a
 * drain deadline do not all reconnect in the same second and stampede the other backends.
 *
 * <p>Connection {@code i} is closed at {@code i / rate} seconds plus a random jitter within one
 * slot ({@code 1 / rate}); each close runs on the connection's own event loop. The schedule lives
 * on the control executor; nothing here blocks.
 */
public final class PacedCloser {

    private static final Logger log = LoggerFactory.getLogger(PacedCloser.class);

    private PacedCloser() {}

    /**
     * Schedules the closes and returns at once.
     *
     * @param what for the log line, e.g. "chat/app-1 drain deadline"
     * @return a handle that cancels the closes not yet done
     */
    public static Handle closeAll(List<Connection> connections, double ratePerSecond, CloseReason reason,
                                  ScheduledExecutorService control, String what) {
        if (connections.isEmpty()) {
            return () -> {};
        }
        long slotNanos = (long) (1_000_000_000L / ratePerSecond);
        AtomicInteger closed = new AtomicInteger();
        ScheduledFuture<?>[] scheduled = new ScheduledFuture<?>[connections.size()];
        log.info("{}: closing {} connections at {}/s (about {} s)", what, connections.size(),
                ratePerSecond, Math.round(connections.size() / ratePerSecond));
        for (int i = 0; i < connections.size(); i++) {
            Connection c = connections.get(i);
            long at = i * slotNanos + ThreadLocalRandom.current().nextLong(Math.max(1, slotNanos));
            scheduled[i] = control.schedule(() -> {
                c.loop().execute(() -> c.closeNow(reason));
                if (closed.incrementAndGet() == connections.size()) {
                    log.info("{}: all {} connections closed", what, connections.size());
                }
            }, at, TimeUnit.NANOSECONDS);
        }
        return () -> {
            for (ScheduledFuture<?> f : scheduled) {
                f.cancel(false);
            }
        };
    }

    /** Cancels the closes not yet done. */
    @FunctionalInterface
    public interface Handle {
        void cancel();
    }
}
