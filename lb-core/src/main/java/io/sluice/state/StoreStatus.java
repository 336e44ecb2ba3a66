package io.sluice.state;

import java.time.Instant;
import java.util.List;

/**
 * What an override store is doing now, for the admin API, the status page and the metrics.
 *
 * @param store     "local", "zookeeper" or "consul"
 * @param reachable whether the last conversation with the store worked (a local store always is)
 * @param queued    changes applied on this node and not yet in the shared store, oldest first
 * @param lost      the last changes (at most {@link #LOST_KEPT}) that lost to another node's write
 * @param lostTotal every change lost since start
 */
public record StoreStatus(String store, boolean reachable, List<Queued> queued, List<Lost> lost, long lostTotal) {

    /** How many lost changes {@link #lost} keeps. */
    public static final int LOST_KEPT = 20;

    public static StoreStatus local() {
        return new StoreStatus("local", true, List.of(), List.of(), 0);
    }

    /** A change applied here and waiting for the shared store. */
    public record Queued(String pool, String backend, AdminOverride change, Instant queuedAt) {}

    /**
     * A change made here that another node's write beat (docs/operations.md, "Admin changes while the
     * shared store is down"): {@code theirs} is in force on every node, this one included.
     */
    public record Lost(String pool, String backend, AdminOverride mine, AdminOverride theirs, Instant queuedAt, Instant resolvedAt) {}
}
