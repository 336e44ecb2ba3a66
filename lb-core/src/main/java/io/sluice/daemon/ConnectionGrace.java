package io.sluice.daemon;

import io.sluice.proxy.CloseReason;
import io.sluice.proxy.ConnectionTracker;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's open client connections at the end: the shutdown grace period (cut short by a second
 * SIGTERM through the {@link Lifecycle}), then closing what is left; and, for {@code sluice run}
 * after a failed takeover, noticing that none are left.
 *
 * <p>{@link #drain} runs on the thread that stops the daemon (never an event loop: it waits);
 * {@link #whenNoneLeft} checks on the control thread.
 */
final class ConnectionGrace {

    private static final Logger log = LoggerFactory.getLogger(ConnectionGrace.class);

    private final ConnectionTracker tracker;
    private final Lifecycle lifecycle;
    private final ScheduledExecutorService control;

    ConnectionGrace(ConnectionTracker tracker, Lifecycle lifecycle, ScheduledExecutorService control) {
        this.tracker = tracker;
        this.lifecycle = lifecycle;
        this.control = control;
    }

    /** Open connections get up to {@code grace} (less if the grace is abandoned); the rest are closed. */
    void drain(Duration grace) {
        int open = tracker.size();
        if (open > 0) {
            log.info("Stopped accepting; waiting up to {} for {} open connections to finish", grace, open);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (tracker.size() > 0 && System.nanoTime() - deadline < 0) {
            if (lifecycle.graceAbandoned(50)) {
                break;
            }
        }
        if (tracker.size() > 0) {
            log.info("Grace period over; closing {} remaining connections", tracker.size());
            tracker.closeAll(CloseReason.SHUTDOWN);
            long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (tracker.size() > 0 && System.nanoTime() - closeDeadline < 0) {
                sleepQuietly(20);
            }
        }
    }

    /** Runs {@code action} once, on the control thread, when no client connection is left (checked every second). */
    void whenNoneLeft(Runnable action) {
        control.scheduleWithFixedDelay(new Runnable() {
            private boolean done;

            @Override
            public void run() {
                if (!done && tracker.size() == 0) {
                    done = true;
                    action.run();
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
