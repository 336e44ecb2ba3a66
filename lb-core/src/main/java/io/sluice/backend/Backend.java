package io.sluice.backend;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One server a pool can send connections to, and its live counters.
 *
 * <p>Identity is the backend's stable {@code name}: balancers order and hash backends by name, never by
 * list or discovery order, so that two nodes with the same backend set make the same choices. A
 * {@code Backend} object lives as long as its name stays in the pool, across snapshot rebuilds, so
 * its counters survive re-weighting and reloads. Address and weight are immutable; a change of
 * either makes a new snapshot, not an in-place edit.
 *
 * <p>Thread-safety: the counters are updated from any event loop; everything else is immutable.
 */
public final class Backend {

    private final String name;
    private final InetSocketAddress address;
    private final int weight;
    private final AtomicInteger active;
    private final LongAdder total;

    public Backend(String name, InetSocketAddress address, int weight) {
        this(name, address, weight, new AtomicInteger(), new LongAdder());
    }

    private Backend(String name, InetSocketAddress address, int weight, AtomicInteger active, LongAdder total) {
        this.name = Objects.requireNonNull(name, "name");
        this.address = Objects.requireNonNull(address, "address");
        if (weight < 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected >= 0)");
        }
        this.weight = weight;
        this.active = active;
        this.total = total;
    }

    /** A backend with the same name and counters but another address or weight. */
    public Backend withSettings(InetSocketAddress newAddress, int newWeight) {
        return new Backend(name, newAddress, newWeight, active, total);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Relative share of new connections; 0 takes none. */
    public int weight() {
        return weight;
    }

    /** Connections open to this backend now (established relays, not pending connects). */
    public int activeConnections() {
        return active.get();
    }

    /** Connections ever established to this backend. */
    public long totalConnections() {
        return total.sum();
    }

    /** Called once when a relay to this backend is established. */
    public void connectionOpened() {
        active.incrementAndGet();
        total.increment();
    }

    /** Called once when a relay that {@link #connectionOpened() opened} closes. */
    public void connectionClosed() {
        active.decrementAndGet();
    }

    /** Backends are equal by name: the same server across snapshot rebuilds of one pool. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Backend other && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name + "(" + address.getHostString() + ":" + address.getPort() + ", weight " + weight + ")";
    }
}
