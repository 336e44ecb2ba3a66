package io.sluice.adminapi;

import java.util.List;

/**
 * The direct listeners of one node (GET /api/v1/direct, and {@code direct} in the status): what this
 * node's kernel was last programmed with, and the kernel's counters. Nodes behind one VIP should show
 * the same {@code fingerprint} per listener; a node that differs sends new flows elsewhere
 * (docs/direct-routing.md, "Comparing nodes").
 *
 * @param table               the nft table (family ip) this node owns
 * @param hashSeed            hex of the flow hash's seed (the same on every node)
 * @param transactions        nft transactions applied since start
 * @param transactionFailures nft transactions refused since start
 * @param lastError           why the last transaction was refused, or null when it applied
 * @param countersAgeSeconds  seconds since the kernel's counters and flow counts were read (every 2 s), or
 *                            null before the first read
 */
public record DirectView(
        String table,
        String hashSeed,
        long transactions,
        long transactionFailures,
        String lastError,
        Double countersAgeSeconds,
        List<Listener> listeners) {

    /**
     * One direct listener as the kernel has it.
     *
     * @param flowKey                "5-tuple" or "source"
     * @param generation             the pool snapshot generation the kernel's table was built from
     * @param fingerprint            hex of that Maglev table's fingerprint: equal on nodes that agree
     * @param tableSize              slots in the kernel's slot map (the pool's maglev-table-size)
     * @param flows                  entries in the kernel's flow map, or null when not read yet or unreadable
     * @param droppedPackets         packets dropped for want of an eligible backend
     */
    public record Listener(
            String name,
            String mode,
            String vip,
            String protocol,
            List<Integer> ports,
            String pool,
            String flowKey,
            long flowIdleTimeoutSeconds,
            int maxFlows,
            long generation,
            String fingerprint,
            int tableSize,
            Integer flows,
            long droppedPackets,
            List<Backend> backends) {}

    /**
     * A backend as the kernel marks it.
     *
     * @param mark    hex of the packet mark (and routing table) that sends packets to it
     * @param slots   its slots in the kernel's slot map
     * @param live    whether flows pinned to it stay there (false: released, they re-hash)
     * @param packets client-to-backend packets forwarded (the named nft counter)
     * @param bytes   their bytes (replies bypass the balancer)
     */
    public record Backend(String name, String address, String mark, int slots, boolean live, long packets, long bytes) {}
}
