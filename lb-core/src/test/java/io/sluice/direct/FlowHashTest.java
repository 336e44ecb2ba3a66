package io.sluice.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.DirectListenerConfig.FlowKey;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Golden values the kernel computed: each is what {@code jhash ... mod M seed S} put into an nft set
 * for one UDP packet sent inside a namespace (Linux 6.18, nft 1.0.6). If these move, explain and the
 * lab's per-flow predictions are wrong; DirectRoutingLabTest checks the same against live traffic.
 */
class FlowHashTest {

    private static Inet4Address ip(String s) throws UnknownHostException {
        return (Inet4Address) InetAddress.getByName(s);
    }

    @Test
    void fiveTupleMatchesTheKernel() throws Exception {
        assertEquals(12130, FlowHash.slot(FlowKey.FIVE_TUPLE, ip("198.51.100.5"), 40000, 53, 65537, 0x51));
        assertEquals(3351, FlowHash.slot(FlowKey.FIVE_TUPLE, ip("198.51.100.5"), 40000, 53, 4093, 0xffffffffL));
        assertEquals(31830, FlowHash.slot(FlowKey.FIVE_TUPLE, ip("198.51.100.5"), 40000, 53, 65537, 0));
        assertEquals(3175, FlowHash.slot(FlowKey.FIVE_TUPLE, ip("198.51.100.77"), 1234, 53, 4093, 0xffffffffL));
        assertEquals(16054, FlowHash.slot(FlowKey.FIVE_TUPLE, ip("198.51.100.77"), 1234, 53, 65537, 0));
    }

    @Test
    void sourceMatchesTheKernel() throws Exception {
        assertEquals(201, FlowHash.slot(FlowKey.SOURCE, ip("198.51.100.5"), 40000, 53, 251, 0x51c3));
        assertEquals(97, FlowHash.slot(FlowKey.SOURCE, ip("198.51.100.77"), 1234, 53, 251, 0x51c3));
        assertEquals(FlowHash.slot(FlowKey.SOURCE, ip("198.51.100.77"), 1, 2, 251, 0x51c3),
                FlowHash.slot(FlowKey.SOURCE, ip("198.51.100.77"), 1234, 53, 251, 0x51c3), "ports do not count");
    }

    @Test
    void jhashOfLongerKeysRunsTheMixRounds() {
        // lookup3.c's own driver: hashlittle("Four score and seven years ago", 30, 0) = 0x17770551, initval 1: 0xcd628161.
        byte[] text = "Four score and seven years ago".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x17770551, FlowHash.jhash(text, 0));
        assertEquals(0xcd628161, FlowHash.jhash(text, 1));
    }

    @Test
    void slotsSpreadOverTheTable() throws Exception {
        int m = 251;
        int[] hits = new int[m];
        for (int port = 1024; port < 1024 + 251 * 40; port++) {
            hits[FlowHash.slot(FlowKey.FIVE_TUPLE, ip("198.51.100.2"), port, 443, m, 7)]++;
        }
        for (int h : hits) {
            assertTrue(h > 10 && h < 80, "every slot gets a fair share: " + h);
        }
    }
}
