package io.sluice.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.DirectListenerConfig;
import io.sluice.config.DirectListenerConfig.DirectProtocol;
import io.sluice.config.DirectListenerConfig.FlowKey;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The listener chain evaluated for one packet, in the kernel's order (established entry on a live
 * backend, else the slot, else drop), and nft's listing of one flow-map element read back. The lab
 * ({@code DirectOperationsLabTest}) checks the same against real flows; these pin the branches a lab
 * rarely shows: a released entry, an entry of a backend the pool no longer has, an empty pool.
 */
class FlowExplanationTest {

    private static final long SEED = 0x51c3;
    private static final int SIZE = 7;

    private static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    private static DirectListenerConfig listener(FlowKey key) throws Exception {
        return new DirectListenerConfig("video", ip("203.0.113.10"), List.of(443), DirectProtocol.TCP, "video", key,
                Duration.ofMinutes(5), 4096, 3);
    }

    /** Slots alternate v1, v2; v1 keeps its flows, v2's were released when {@code v2Live} is false. */
    private static DirectPlan plan(FlowKey key, boolean v2Live, boolean empty) throws Exception {
        DirectBackend v1 = new DirectBackend("v1", ip("198.51.100.11"), true);
        DirectBackend v2 = new DirectBackend("v2", ip("198.51.100.12"), v2Live);
        long[] slots = new long[empty ? 0 : SIZE];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = (i % 2 == 0 ? v1 : v2).mark();
        }
        return new DirectPlan("sluice", SEED, 1000, List.of(new ServicePlan(listener(key), slots, List.of(v1, v2), 4, 0xabcL)));
    }

    private static FlowExplanation explain(DirectPlan plan, int clientPort, Long entryMark) throws Exception {
        return FlowExplanation.of(plan, plan.services().get(0), ip("198.51.100.2"), clientPort, 443,
                Optional.ofNullable(entryMark).map(m -> new FlowMaps.Entry(m, 1000L)));
    }

    /** A client port whose flow hashes to a slot of {@code backend} ("v1": even slots). */
    private static int portOnto(String backend) {
        for (int port = 40000; port < 41000; port++) {
            int slot = FlowHash.slot(FlowKey.FIVE_TUPLE, ipUnchecked(), port, 443, SIZE, SEED);
            if ((slot % 2 == 0) == backend.equals("v1")) {
                return port;
            }
        }
        throw new AssertionError("no port in 40000..40999 hashes onto " + backend);
    }

    private static Inet4Address ipUnchecked() {
        try {
            return ip("198.51.100.2");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aNewFlowGoesWhereItsSlotSays() throws Exception {
        int port = portOnto("v2");
        FlowExplanation e = explain(plan(FlowKey.FIVE_TUPLE, true, false), port, null);
        assertEquals(FlowHash.slot(FlowKey.FIVE_TUPLE, ipUnchecked(), port, 443, SIZE, SEED), e.slot());
        assertEquals("v2", e.slotBackend().name());
        assertEquals("v2", e.backend().name());
        assertEquals("maglev", e.decidedBy());
        assertNull(e.entry());
        assertTrue(e.why().startsWith("no entry in the kernel's flow map"), e.why());
    }

    @Test
    void anEstablishedFlowOnALiveBackendStaysWhateverItsSlotSays() throws Exception {
        DirectPlan plan = plan(FlowKey.FIVE_TUPLE, true, false);
        long v1 = plan.services().get(0).backends().get(0).mark();
        FlowExplanation e = explain(plan, portOnto("v2"), v1);
        assertEquals("v2", e.slotBackend().name());
        assertEquals("v1", e.backend().name());
        assertEquals("flow-map", e.decidedBy());
        assertEquals(1000L, e.entryExpiresInMillis());
    }

    @Test
    void aReleasedBackendsFlowReHashes() throws Exception {
        DirectPlan plan = plan(FlowKey.FIVE_TUPLE, false, false);
        long v2 = plan.services().get(0).backends().get(1).mark();
        FlowExplanation e = explain(plan, portOnto("v1"), v2);
        assertEquals("v2", e.entryBackend().name());
        assertEquals("v1", e.backend().name());
        assertEquals("maglev", e.decidedBy());
        assertTrue(e.why().contains("v2, whose flows were released"), e.why());
    }

    @Test
    void anEntryOfABackendThePoolNoLongerHasReHashes() throws Exception {
        FlowExplanation e = explain(plan(FlowKey.FIVE_TUPLE, true, false), portOnto("v1"), 0x0a000001L);
        assertNull(e.entryBackend());
        assertEquals("v1", e.backend().name());
        assertTrue(e.why().contains("a backend the pool no longer has"), e.why());
    }

    @Test
    void anEmptyPoolDropsAndTheSourceKeyIgnoresThePort() throws Exception {
        FlowExplanation dropped = explain(plan(FlowKey.FIVE_TUPLE, true, true), 40000, null);
        assertNull(dropped.backend());
        assertNull(dropped.decidedBy());
        assertEquals(1, dropped.tableSize(), "nft's rule says mod 1 for an empty slot map");
        assertTrue(dropped.why().endsWith("the packet is dropped and counted"), dropped.why());

        DirectPlan source = plan(FlowKey.SOURCE, true, false);
        FlowExplanation a = FlowExplanation.of(source, source.services().get(0), ip("198.51.100.2"), null, 443, Optional.empty());
        assertEquals(FlowHash.slot(FlowKey.SOURCE, ip("198.51.100.2"), 0, 443, SIZE, SEED), a.slot());
        assertEquals("198.51.100.2", FlowExplanation.keyText(FlowKey.SOURCE, ip("198.51.100.2"), null, 443));
        assertEquals("198.51.100.2 . 40000 . 443", FlowExplanation.keyText(FlowKey.FIVE_TUPLE, ip("198.51.100.2"), 40000, 443));
    }

    @Test
    void nftsListingOfOneElementReadsBack() {
        // nft 1.0.6's answer to `nft get element ip t f { 198.51.100.2 . 40000 . 8080 }`, verbatim.
        String listing = """
                table ip t {
                	map f5 {
                		type ipv4_addr . inet_service . inet_service : mark
                		size 1024
                		timeout 5m
                		elements = { 198.51.100.2 . 40000 . 8080 expires 4m59s996ms : 0xc633640b }
                	}
                }
                """;
        FlowMaps.Entry e = FlowMaps.parseElement(listing).orElseThrow();
        assertEquals(0xc633640bL, e.mark());
        assertEquals(299_996L, e.expiresInMillis());
        assertEquals(Optional.empty(), FlowMaps.parseElement("table ip t {\n}\n"));
        assertEquals(90_061_001L, FlowMaps.millis("1d1h1m1s1ms"));
        assertEquals(0L, FlowMaps.millis(""));
    }
}
