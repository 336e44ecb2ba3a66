package io.sluice.state;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the fleet-wide stores (ZooKeeper, Consul) share: a local view kept current by the store's
 * watch, the listeners told of every change, and put as a versioned read-modify-write
 * ({@link #update}), which each store implements with its own compare-and-set.
 */
abstract class SharedOverrideStore implements OverrideStore {

    private static final Logger log = LoggerFactory.getLogger(SharedOverrideStore.class);

    /** Bounded, so a key fought over forever fails loudly instead of spinning. */
    static final int MAX_WRITE_ATTEMPTS = 50;

    /** "pool/backend" -> override, as last seen (written by the watch and by our own writes). */
    final Map<String, AdminOverride> view = new ConcurrentHashMap<>();
    final AtomicBoolean closed = new AtomicBoolean();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    @Override
    public AdminOverride get(String pool, String backend) {
        return view.getOrDefault(OverrideJson.key(pool, backend), AdminOverride.NONE);
    }

    @Override
    public Map<String, AdminOverride> all() {
        return Map.copyOf(new TreeMap<>(view));
    }

    @Override
    public void put(String pool, String backend, AdminOverride override) {
        Objects.requireNonNull(override, "override");
        update(pool, backend, current -> override);
    }

    /**
     * Read-modify-write of one override with the store's versioned writes: {@code change} gets the
     * stored value (NONE when absent) and may be called again when another writer got in between.
     * Returns what was stored.
     */
    abstract AdminOverride update(String pool, String backend, UnaryOperator<AdminOverride> change);

    @Override
    public void watch(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Tells every listener about a change of {@code key} ("pool/backend"); never after close. */
    void notifyListeners(String key, AdminOverride o) {
        if (closed.get()) {
            return;
        }
        int slash = key.indexOf('/');
        String pool = key.substring(0, slash);
        String backend = key.substring(slash + 1);
        for (Listener l : listeners) {
            try {
                l.changed(pool, backend, o);
            } catch (RuntimeException e) {
                log.error("AdminOverride listener failed on {}", key, e);
            }
        }
    }
}
