package io.sluice.logging;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a recurring data-path event at most once per interval, with the count of what was
 * suppressed, so a flood of refusals cannot flood the log or slow the event loop.
 */
public final class ThrottledLog {

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public ThrottledLog(Logger log, long intervalNanos) {
        this.log = log;
        this.intervalNanos = intervalNanos;
    }

    public void warn(String format, Object... args) {
        log(false, format, args);
    }

    /** As {@link #warn}, at ERROR: conditions an operator must act on (the process is out of descriptors). */
    public void error(String format, Object... args) {
        log(true, format, args);
    }

    private void log(boolean error, String format, Object... args) {
        long now = System.nanoTime();
        long next = nextNanos.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !nextNanos.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long dropped = suppressed.getAndSet(0);
        Object[] all = dropped > 0 ? append(args, dropped) : args;
        String line = dropped > 0 ? format + " (and {} similar events suppressed)" : format;
        if (error) {
            log.error(line, all);
        } else {
            log.warn(line, all);
        }
    }

    private static Object[] append(Object[] args, Object extra) {
        Object[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = extra;
        return all;
    }
}
