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
 * @param refused         why the listener would refuse this client before choosing a pool (a tls
 *                        listener with no route for its SNI and no default pool, or no SNI and
 *                        {@code no-sni: reject}); null when it would not
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
        List<Skipped> skipped,
        String refused) {

    /** A client the listener would not refuse. */
    public ExplainView(String listener, String client, String sni, List<String> alpn, String routeKind,
            String routePattern, String pool, String stickyKey, String keyHash, Long maglevGeneration,
            String maglevFingerprint, StickEntry stickEntry, String backend, String decidedBy, List<Skipped> skipped) {
        this(listener, client, sni, alpn, routeKind, routePattern, pool, stickyKey, keyHash, maglevGeneration,
                maglevFingerprint, stickEntry, backend, decidedBy, skipped, null);
    }

    /** A client the listener would refuse, and why. */
    public static ExplainView refused(String listener, String client, String sni, List<String> alpn, String why) {
        return new ExplainView(listener, client, sni, alpn, null, null, null, null, null, null, null, null, null, null,
                List.of(), why);
    }

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
     * @param operatorDrain the operator's drain holding it, or null
     * @param registryDrain the registry's drain holding it, or null (both may hold it at once)
     */
    public record Skipped(String backend, String reason, DrainView operatorDrain, DrainView registryDrain) {
        /** A backend skipped for a reason other than a drain. */
        public Skipped(String backend, String reason) {
            this(backend, reason, null, null);
        }
    }
}
