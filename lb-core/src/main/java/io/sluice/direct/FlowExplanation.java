package io.sluice.direct;

import io.sluice.config.DirectListenerConfig.FlowKey;
import java.net.Inet4Address;
import java.util.Optional;

/**
 * Where the kernel sends one flow of a direct listener, and why: the rules {@link NftScript} writes,
 * evaluated here for one packet against the plan the kernel was last given and the kernel's own
 * flow-map entry. In the kernel's order: an entry in the flow map whose backend is live decides;
 * otherwise the flow's {@link FlowHash} slot in the slot map does; a slot without a backend drops.
 *
 * <p>Immutable; built on the direct thread ({@link DirectPlane#explain}), read by any.
 *
 * @param plan         the plan the kernel was last programmed with
 * @param service      the listener's part of it
 * @param clientPort   null with the source flow key
 * @param slot         the flow's slot, as the kernel computes it
 * @param slotBackend  the backend owning the slot, or null (no eligible backend)
 * @param entry        the kernel's flow-map entry, or null when it has none
 * @param entryBackend the backend the entry points at, or null (none, or a mark of no backend of the pool)
 * @param backend      where the next packet goes, or null (dropped)
 * @param decidedBy    "flow-map", "maglev" or null
 * @param why          the decision in a sentence
 */
public record FlowExplanation(DirectPlan plan, ServicePlan service, Inet4Address client, Integer clientPort, int port,
                              int slot, DirectBackend slotBackend, FlowMaps.Entry entry, DirectBackend entryBackend,
                              DirectBackend backend, String decidedBy, String why) {

    /** The slot map's size as the rule has it ({@code mod 1} for an empty pool). */
    public int tableSize() {
        return Math.max(1, service.slotMarks().length);
    }

    /** The entry's mark, or null. */
    public Long entryMark() {
        return entry == null ? null : entry.mark();
    }

    /** The entry's time left in milliseconds, or null. */
    public Long entryExpiresInMillis() {
        return entry == null ? null : entry.expiresInMillis();
    }

    /** nft's text of the flow key, as the flow map holds it. */
    static String keyText(FlowKey key, Inet4Address client, Integer clientPort, int port) {
        return key == FlowKey.SOURCE ? client.getHostAddress() : client.getHostAddress() + " . " + clientPort + " . " + port;
    }

    /** Evaluates the listener's chain for one packet of the flow. */
    static FlowExplanation of(DirectPlan plan, ServicePlan s, Inet4Address client, Integer clientPort, int port,
                              Optional<FlowMaps.Entry> kernelEntry) {
        FlowKey key = s.listener().flowKey();
        long[] marks = s.slotMarks();
        int size = Math.max(1, marks.length);
        int slot = FlowHash.slot(key, client, clientPort == null ? 0 : clientPort, port, size, plan.hashSeed());
        DirectBackend slotBackend = slot < marks.length ? byMark(s, marks[slot]) : null;
        FlowMaps.Entry entry = kernelEntry.orElse(null);
        DirectBackend entryBackend = entry == null ? null : byMark(s, entry.mark());
        String flow = keyText(key, client, clientPort, port).replace(" . ", " ");
        if (entryBackend != null && entryBackend.live()) {
            return new FlowExplanation(plan, s, client, clientPort, port, slot, slotBackend, entry, entryBackend,
                    entryBackend, "flow-map", "an established flow: the kernel's flow map pins " + flow + " to "
                    + entryBackend.name() + ", which keeps its flows; the Maglev slot " + slot + " ("
                    + (slotBackend == null ? "no backend" : slotBackend.name()) + ") decides only new flows");
        }
        String released = entry == null ? "no entry in the kernel's flow map (a new flow, or one idle past its timeout)"
                : "the flow map's entry points at " + (entryBackend == null ? "a backend the pool no longer has"
                        : entryBackend.name() + ", whose flows were released (down, gone, or past a drain deadline)");
        if (slotBackend == null) {
            return new FlowExplanation(plan, s, client, clientPort, port, slot, null, entry, entryBackend, null, null,
                    released + "; the pool has no eligible backend: the packet is dropped and counted");
        }
        return new FlowExplanation(plan, s, client, clientPort, port, slot, slotBackend, entry, entryBackend,
                slotBackend, "maglev", released + "; jhash of the flow mod " + size + " is slot " + slot
                + ", which the Maglev table gives to " + slotBackend.name());
    }

    private static DirectBackend byMark(ServicePlan s, long mark) {
        for (DirectBackend b : s.backends()) {
            if (b.mark() == mark) {
                return b;
            }
        }
        return null;
    }
}
