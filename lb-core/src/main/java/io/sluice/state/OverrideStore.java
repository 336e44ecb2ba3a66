package io.sluice.state;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Where admin overrides (drain, maint, weight) live so they survive restarts, and, for the
 * fleet-wide stores, reach every Sluice node.
 *
 * <p>{@link LocalOverrideStore} keeps them in a JSON file next to the config (one node). The
 * ZooKeeper and Consul stores share them between nodes; they must use the store's versioned writes
 * (ZooKeeper node versions, Consul CAS) so concurrent writers never lose an update, and report other
 * nodes' changes to the {@link Listener}.
 *
 * <p>A put never waits for a shared store: the change is in this node's view at once and queued; a
 * writer thread of the store writes it, retrying while the store is unreachable. When another node
 * wrote the same key after the change was made and before it reached the store, the other node's
 * write wins and the change is {@link StoreWrite#LOST} (docs/operations.md, "Admin changes while the
 * shared store is down").
 *
 * <p>Threads: {@link #get}, {@link #all} and {@link #put} are called on the daemon's control thread
 * and never block on the network; {@link #status} from any thread. The listener is called from the
 * store's own threads.
 */
public interface OverrideStore extends AutoCloseable {

    /** The override for pool/backend, or {@link AdminOverride#NONE}. */
    AdminOverride get(String pool, String backend);

    /** Every stored override by "pool/backend". */
    Map<String, AdminOverride> all();

    /**
     * Stores (or, for {@link AdminOverride#isNone()}, removes) an override: in this node's view at once,
     * in the store later. The future completes with {@link StoreWrite#STORED} or
     * {@link StoreWrite#LOST}, never exceptionally; it stays incomplete while the change is queued.
     *
     * @throws IllegalStateException when the store is closed
     */
    CompletableFuture<StoreWrite> put(String pool, String backend, AdminOverride override);

    /** The store's reachability, queued and lost changes. Any thread. */
    StoreStatus status();

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
