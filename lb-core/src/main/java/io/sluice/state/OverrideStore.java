package io.sluice.state;

import java.util.Map;

/**
 * Where admin overrides (drain, maint, weight) live so they survive restarts, and, for the
 * fleet-wide stores, reach every Sluice node.
 *
 * <p>{@link LocalOverrideStore} keeps them in a JSON file next to the config (one node). The
 * ZooKeeper and Consul stores share them between nodes; they must use the store's versioned writes
 * (ZooKeeper node versions, Consul CAS) so concurrent writers never lose an update, and report other
 * nodes' changes to the {@link Listener}.
 *
 * <p>Threads: {@link #get}, {@link #all} and {@link #put} are called on the daemon's control thread
 * (they may block briefly on the store). The listener is called from the store's own threads.
 */
public interface OverrideStore extends AutoCloseable {

    /** The override for pool/backend, or {@link AdminOverride#NONE}. */
    AdminOverride get(String pool, String backend);

    /** Every stored override by "pool/backend". */
    Map<String, AdminOverride> all();

    /** Stores (or, for {@link AdminOverride#isNone()}, removes) an override. */
    void put(String pool, String backend, AdminOverride override);

    /** Starts reporting changes made by other writers (other nodes). Local stores never call it. */
    void watch(Listener listener);

    @Override
    void close();

    /** Receives changes of the shared store. */
    @FunctionalInterface
    interface Listener {
        /** {@code override} is {@link AdminOverride#NONE} when the entry was removed. */
        void changed(String pool, String backend, AdminOverride override);
    }
}
