package io.sluice.limit;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for new client connections: a daemon-wide cap and an optional per-source cap.
 *
 * <p>Called on event loops for every accepted connection: lock-free counters, no waiting. A refused
 * connection is closed by the caller at once; connections already admitted are never affected.
 * Every successful acquire is matched by exactly one release of the same kind (and address).
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
    private final AtomicInteger total;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perSource;

    /** @param maxPerSource 0 means unlimited (and no per-source map is kept) */
    public ConnectionLimiter(int maxConnections, int maxPerSource) {
        this(maxConnections, maxPerSource, new AtomicInteger(), new ConcurrentHashMap<>());
    }

    private ConnectionLimiter(int maxConnections, int maxPerSource, AtomicInteger total,
                              ConcurrentHashMap<InetAddress, AtomicInteger> perSource) {
        this.maxConnections = maxConnections;
        this.maxPerSource = maxPerSource;
        this.total = total;
        this.perSource = perSource;
    }

    /** Both limits at once, for a client whose address is known at accept. */
    public Admission tryAcquire(InetAddress source) {
        if (!tryAcquireGlobal()) {
            return Admission.OVER_GLOBAL_LIMIT;
        }
        if (!tryAcquireSource(source)) {
            releaseGlobal();
            return Admission.OVER_SOURCE_LIMIT;
        }
        return Admission.ADMITTED;
    }

    /** The daemon-wide limit alone: checked at accept, before a PROXY header names the real client. */
    public boolean tryAcquireGlobal() {
        if (total.incrementAndGet() > maxConnections) {
            total.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Counts a connection another process admitted and handed over: it is open already, so it is
     * never refused, even above a limit the new configuration lowered (it only delays new ones).
     * {@code source} null: not known yet (a PROXY header still to come), only the global count.
     */
    public void acquireHandedOver(InetAddress source) {
        total.incrementAndGet();
        if (maxPerSource > 0 && source != null) {
            perSource.compute(source, (addr, count) -> {
                AtomicInteger c = count == null ? new AtomicInteger() : count;
                c.incrementAndGet();
                return c;
            });
        }
    }

    public void releaseGlobal() {
        total.decrementAndGet();
    }

    /** The per-source limit alone, once the client's real address is known. */
    public boolean tryAcquireSource(InetAddress source) {
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
            return admitted[0];
        }
        return true;
    }

    public void releaseSource(InetAddress source) {
        if (maxPerSource > 0) {
            perSource.computeIfPresent(source, (addr, c) -> c.decrementAndGet() == 0 ? null : c);
        }
    }

    public void release(InetAddress source) {
        releaseSource(source);
        releaseGlobal();
    }

    /**
     * A limiter with new limits that keeps counting the connections this one admitted (reload):
     * both share the counters, so releases of old connections land where they were counted.
     */
    public ConnectionLimiter withLimits(int newMax, int newMaxPerSource) {
        return new ConnectionLimiter(newMax, newMaxPerSource, total, perSource);
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
