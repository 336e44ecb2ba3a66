package io.sluice.limit;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for new client connections: a daemon-wide cap and an optional per-source cap.
 *
 * <p>Called on event loops for every accepted connection: lock-free counters, no waiting. A refused
 * connection is closed by the caller at once; connections already admitted are never affected.
 * Every {@link #tryAcquire} that returns {@link Admission#ADMITTED} must be matched by exactly one
 * {@link #release} with the same address.
 */
public final class ConnectionLimiter {

    /** The outcome of {@link #tryAcquire}. */
    public enum Admission {
        ADMITTED,
        OVER_GLOBAL_LIMIT,
        OVER_SOURCE_LIMIT
    }

    private final int maxConnections;
    private final int maxPerSource;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();

    /** @param maxPerSource 0 means unlimited (and no per-source map is kept) */
    public ConnectionLimiter(int maxConnections, int maxPerSource) {
        this.maxConnections = maxConnections;
        this.maxPerSource = maxPerSource;
    }

    public Admission tryAcquire(InetAddress source) {
        if (total.incrementAndGet() > maxConnections) {
            total.decrementAndGet();
            return Admission.OVER_GLOBAL_LIMIT;
        }
        if (maxPerSource > 0) {
            // compute() makes "create, increment, maybe remove" atomic per key, so a concurrent
            // release never drops a counter another connection just took.
            boolean[] admitted = new boolean[1];
            perSource.compute(source, (addr, count) -> {
                AtomicInteger c = count == null ? new AtomicInteger() : count;
                if (c.get() < maxPerSource) {
                    c.incrementAndGet();
                    admitted[0] = true;
                }
                return c.get() == 0 ? null : c;
            });
            if (!admitted[0]) {
                total.decrementAndGet();
                return Admission.OVER_SOURCE_LIMIT;
            }
        }
        return Admission.ADMITTED;
    }

    public void release(InetAddress source) {
        total.decrementAndGet();
        if (maxPerSource > 0) {
            perSource.computeIfPresent(source, (addr, c) -> c.decrementAndGet() == 0 ? null : c);
        }
    }

    /** Admitted connections open now. */
    public int current() {
        return total.get();
    }

    /** Distinct sources with open connections (0 when there is no per-source limit). */
    public int trackedSources() {
        return perSource.size();
    }
}
