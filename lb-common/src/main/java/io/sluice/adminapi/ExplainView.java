package io.sluice.adminapi;

import java.util.List;

/**
 * Why a client with this address (and SNI) would land where it lands, now.
 *
 * @param routeKind       "exact", "wildcard", "default" (tls listeners), "listener" (tcp), or null
 *                        when nothing matches
 * @param routePattern    the matching route's sni pattern, or null
 * @param stickyKey       the client's sticky key (address or prefix), or null when the pool is not sticky
 * @param keyHash         hex of the key's 64-bit hash (what Maglev looks up)
 * @param decidedBy       "stick-table", "maglev", "balancer" or null when no backend is eligible
 * @param stickEntry      this node's stick-table entry for the key, or null
 * @param skipped         every other backend and why it was not chosen
 */
public record ExplainView(
        String listener,
        String client,
        String sni,
        List<String> alpn,
        String routeKind,
        String routePattern,
        String pool,
        String stickyKey,
        String keyHash,
        Long maglevGeneration,
        String maglevFingerprint,
        StickEntry stickEntry,
        String backend,
        String decidedBy,
        List<Skipped> skipped) {

    /**
     * @param pins        open connections using it
     * @param idleSeconds since its last connection ended
     * @param routes      whether the entry decides where new connections go (never with Maglev)
     * @param why         why it exists and what it does, in a sentence
     */
    public record StickEntry(String backend, int pins, long idleSeconds, boolean routes, String why) {}

    /**
     * @param reason "down", "draining", "maintenance", "weight-0", "slow-start", "not-chosen", or
     *               "candidate" (eligible; a round-robin, least-conn or random-two pool picks among the
     *               candidates at connect time, so no single backend can be named in advance)
     */
    public record Skipped(String backend, String reason) {}
}
