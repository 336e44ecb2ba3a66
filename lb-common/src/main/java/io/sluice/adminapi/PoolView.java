package io.sluice.adminapi;

import java.util.List;

/**
 * One pool as the admin API shows it.
 *
 * @param generation        increases with every rebuild of the pool's snapshot
 * @param maglevFingerprint hex of the Maglev table's fingerprint (equal on every node with the same
 *                          eligible set), or null for other balancers
 * @param stickTableSize    entries in this node's stick table, or 0 when not sticky
 * @param healthCheck       the active check type ("tcp", "http", "tls-hello", "none")
 * @param discoveryStalenessSeconds seconds since the pool's last discovery snapshot; null when the
 *                          pool does not discover, or before its first snapshot
 * @param direct            the direct listeners forwarding to this pool, as this node's kernel has them
 *                          (table generation and fingerprint, flows, per-backend packets and bytes); empty
 *                          when none, null from a daemon that does not report them
 */
public record PoolView(
        String name,
        String balance,
        String stickyKey,
        long generation,
        String maglevFingerprint,
        int stickTableSize,
        String healthCheck,
        int activeConnections,
        Double discoveryStalenessSeconds,
        List<BackendView> backends,
        List<DirectView.Listener> direct) {

    /** A pool without direct listeners. */
    public PoolView(String name, String balance, String stickyKey, long generation, String maglevFingerprint,
                    int stickTableSize, String healthCheck, int activeConnections, Double discoveryStalenessSeconds,
                    List<BackendView> backends) {
        this(name, balance, stickyKey, generation, maglevFingerprint, stickTableSize, healthCheck, activeConnections,
                discoveryStalenessSeconds, backends, List.of());
    }
}
