package io.sluice.adminapi;

import java.util.List;

/**
 * The override store as GET /api/v1/status shows it ({@code shared_store}): where admin changes are
 * kept, whether it answers, what this node applied and has not yet written there, and what lost to
 * another node's write (docs/admin-api.md, docs/operations.md "Admin changes while the shared store
 * is down").
 *
 * @param store     "local", "zookeeper" or "consul"
 * @param reachable whether the last conversation with it worked
 * @param queued    changes applied on this node only, oldest first
 * @param lost      recent changes another node's later write replaced, newest first
 * @param lostTotal every lost change since the daemon started
 */
public record StoreView(String store, boolean reachable, List<Change> queued, List<Lost> lost, long lostTotal) {

    /** @param change e.g. "drain", "maint", "ready", "weight 40" */
    public record Change(String backend, String change, String queuedAt) {}

    /**
     * @param mine   this node's change
     * @param theirs the value in force on every node now
     */
    public record Lost(String backend, String mine, String theirs, String queuedAt, String resolvedAt) {}
}
