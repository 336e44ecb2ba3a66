package io.sluice.proxy;

import io.sluice.metrics.OpenConnections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Every admitted client connection of the daemon, so shutdown can wait for them and close the
 * rest, and so the admin API can list them. Adds and removes happen on event loops (lock-free).
 */
public final class ConnectionTracker implements OpenConnections {

    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, AtomicInteger> perListener = new ConcurrentHashMap<>();

    void add(Connection c) {
        if (open.add(c)) {
            perListener.computeIfAbsent(c.listener(), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    void remove(Connection c) {
        if (open.remove(c)) {
            perListener.get(c.listener()).decrementAndGet();
        }
    }

    /** Connections open now on {@code listener} (0 for a listener that never had one). */
    @Override
    public int size(String listener) {
        AtomicInteger n = perListener.get(listener);
        return n == null ? 0 : n.get();
    }

    /**
     * Visits every open connection without copying the set (weakly consistent: a connection added
     * or removed meanwhile may or may not be seen). For walks that run every few seconds over tens
     * of thousands of idle connections.
     */
    public void forEach(Consumer<Connection> visit) {
        open.forEach(visit);
    }

    /** A snapshot of the open connections (weakly consistent). */
    public List<Connection> all() {
        return List.copyOf(open);
    }

    /** Connections open now. */
    public int size() {
        return open.size();
    }

    /**
     * Closes every open connection, each on its own event loop, for {@code reason}. Returns
     * immediately; watch {@link #size()} to see them go.
     */
    public void closeAll(CloseReason reason) {
        for (Connection c : open) {
            c.loop().execute(() -> c.close(reason));
        }
    }
}
