package io.sluice.proxy;

import io.sluice.metrics.OpenConnections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

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
            c.inbound().eventLoop().execute(() -> c.close(reason));
        }
    }
}
