package io.sluice.adminapi;

/**
 * Where the kernel sends one flow of a direct listener, and why (GET /api/v1/direct/explain). Read
 * from what this node's kernel was last programmed with, not from the pool's newest snapshot (they
 * differ for at most one poll, 200 ms).
 *
 * @param flowKey            "5-tuple" (client address and port, listener port) or "source" (address only)
 * @param clientPort         the client's source port; null with the source flow key
 * @param hashSeed           hex of the seed of nft's {@code jhash}
 * @param tableSize          slots in the kernel's slot map
 * @param slot               the flow's slot: {@code jhash(key) mod tableSize}, as the kernel computes it
 * @param slotBackend        the backend owning that slot, or null when the pool has no eligible backend
 * @param maglevGeneration   the pool snapshot generation the kernel's table was built from
 * @param maglevFingerprint  hex of that Maglev table's fingerprint
 * @param flowEntry          the kernel's flow-map entry for this flow, or null when there is none
 * @param backend            where the flow's next packet goes, or null (dropped: no eligible backend)
 * @param decidedBy          "flow-map" (an established flow keeps its backend), "maglev" (a new flow, or
 *                           one whose backend was released) or null
 * @param why                the decision in a sentence
 */
public record DirectExplainView(
        String listener,
        String table,
        String vip,
        String protocol,
        int port,
        String client,
        Integer clientPort,
        String flowKey,
        String pool,
        String hashSeed,
        int tableSize,
        int slot,
        String slotBackend,
        long maglevGeneration,
        String maglevFingerprint,
        FlowEntry flowEntry,
        String backend,
        String decidedBy,
        String why) {

    /**
     * @param backend         the backend it points at (null when the mark names no backend of the pool)
     * @param mark            hex of the mark in the entry
     * @param expiresInMillis time left before the kernel forgets the flow (each packet restarts it); null if unknown
     * @param live            whether that backend keeps its flows (false: released, the flow re-hashes)
     */
    public record FlowEntry(String backend, String mark, Long expiresInMillis, boolean live) {}
}
