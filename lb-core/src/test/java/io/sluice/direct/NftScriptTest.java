package io.sluice.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.DirectListenerConfig;
import io.sluice.config.DirectListenerConfig.DirectProtocol;
import io.sluice.config.DirectListenerConfig.FlowKey;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Golden scripts: the exact transaction a plan becomes. */
class NftScriptTest {

    private static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    private static DirectListenerConfig listener(String name, FlowKey key, Duration idle, List<Integer> ports,
                                                 DirectProtocol protocol) throws Exception {
        return new DirectListenerConfig(name, ip("203.0.113.10"), ports, protocol, "web", key, idle, 4096, 3);
    }

    private static ServicePlan service(DirectListenerConfig l) throws Exception {
        DirectBackend a = new DirectBackend("k1", ip("198.51.100.11"), true);
        DirectBackend b = new DirectBackend("k2.old", ip("198.51.100.12"), false);
        long[] slots = {a.mark(), a.mark(), a.mark(), a.mark(), a.mark()};
        return new ServicePlan(l, slots, List.of(a, b), 4, 0x1234);
    }

    @Test
    void oneListenerOnAFreshTable() throws Exception {
        DirectListenerConfig l = listener("web", FlowKey.FIVE_TUPLE, Duration.ofMinutes(5), List.of(80, 443), DirectProtocol.TCP);
        DirectPlan plan = new DirectPlan("sluice", 0x51c3, 1000, List.of(service(l)));
        assertEquals("""
                add table ip sluice { comment "managed by sluice direct routing; do not edit"; }
                add chain ip sluice prerouting { type filter hook prerouting priority raw; policy accept; }
                flush chain ip sluice prerouting
                add chain ip sluice l_web
                flush chain ip sluice l_web
                add map ip sluice l_web_slots { typeof numgen inc mod 2 : meta mark; }
                flush map ip sluice l_web_slots
                add element ip sluice l_web_slots { 0 : 0xc633640b, 1 : 0xc633640b, 2 : 0xc633640b, 3 : 0xc633640b, 4 : 0xc633640b }
                add set ip sluice l_web_live { typeof meta mark; }
                flush set ip sluice l_web_live
                add element ip sluice l_web_live { 0xc633640b }
                add map ip sluice l_web_flows_5t_300s { typeof ip saddr . th sport . th dport : meta mark; flags timeout; timeout 300s; size 4096; }
                add counter ip sluice c_web__none
                add counter ip sluice c_web__k1
                add counter ip sluice c_web__k2_old_76d8a9
                add rule ip sluice prerouting ip daddr 203.0.113.10 tcp dport { 80, 443 } jump l_web
                add rule ip sluice l_web notrack
                add rule ip sluice l_web meta mark set ip saddr . tcp sport . tcp dport map @l_web_flows_5t_300s
                add rule ip sluice l_web meta mark != 0 meta mark != @l_web_live meta mark set 0
                add rule ip sluice l_web meta mark 0 meta mark set jhash ip saddr . tcp sport . tcp dport mod 5 seed 0x000051c3 map @l_web_slots
                add rule ip sluice l_web meta mark 0 counter name c_web__none drop
                add rule ip sluice l_web update @l_web_flows_5t_300s { ip saddr . tcp sport . tcp dport : meta mark }
                add rule ip sluice l_web meta mark 0xc633640b counter name c_web__k1 accept
                add rule ip sluice l_web meta mark 0xc633640c counter name c_web__k2_old_76d8a9 accept
                """, NftScript.render(plan, Set.of()));
    }

    @Test
    void sourceKeyedUdpOnOnePort() throws Exception {
        DirectListenerConfig l = listener("quic", FlowKey.SOURCE, Duration.ofSeconds(90), List.of(443), DirectProtocol.UDP);
        String script = NftScript.render(new DirectPlan("sluice", 7, 1000, List.of(service(l))), Set.of());
        assertContainsLine(script, "add rule ip sluice prerouting ip daddr 203.0.113.10 udp dport 443 jump l_quic");
        assertContainsLine(script, "add map ip sluice l_quic_flows_src_90s { typeof ip saddr : meta mark; flags timeout; timeout 90s; size 4096; }");
        assertContainsLine(script, "add rule ip sluice l_quic meta mark 0 meta mark set jhash ip saddr mod 5 seed 0x00000007 map @l_quic_slots");
        assertContainsLine(script, "add rule ip sluice l_quic update @l_quic_flows_src_90s { ip saddr : meta mark }");
    }

    @Test
    void objectsNoLongerPlannedAreDeletedAfterTheFlushes() throws Exception {
        DirectListenerConfig l = listener("web", FlowKey.FIVE_TUPLE, Duration.ofMinutes(1), List.of(80), DirectProtocol.TCP);
        DirectPlan plan = new DirectPlan("sluice", 1, 1000, List.of(service(l)));
        Set<String> present = Set.of("chain prerouting", "chain l_web", "map l_web_slots", "set l_web_live",
                "map l_web_flows_5t_300s", "counter c_web__none", "counter c_web__k1", "counter c_web__gone",
                "chain l_old", "map l_old_slots");
        String script = NftScript.render(plan, present);
        String tail = script.substring(script.indexOf("delete "));
        assertEquals("""
                delete chain ip sluice l_old
                delete counter ip sluice c_web__gone
                delete map ip sluice l_old_slots
                delete map ip sluice l_web_flows_5t_300s
                """, tail, "a changed timeout makes a new flow map; the old one goes, after every flush");
        assertTrue(script.indexOf("flush chain ip sluice l_web") < script.indexOf("delete "));
        assertEquals(NftScript.objects(plan).size(), NftScript.parseObjects(listing(NftScript.objects(plan))).size());
    }

    @Test
    void bigTablesAreWrittenInChunks() throws Exception {
        DirectListenerConfig l = listener("web", FlowKey.FIVE_TUPLE, Duration.ofMinutes(5), List.of(80), DirectProtocol.TCP);
        long[] slots = new long[65537];
        Arrays.fill(slots, 0xc633640bL);
        ServicePlan s = new ServicePlan(l, slots, List.of(new DirectBackend("k1", ip("198.51.100.11"), true)), 1, 1);
        String script = NftScript.render(new DirectPlan("sluice", 1, 1000, List.of(s)), Set.of());
        long statements = script.lines().filter(line -> line.startsWith("add element ip sluice l_web_slots")).count();
        assertEquals(65, statements, "65537 slots in statements of 1024");
        assertContainsLine(script, "add rule ip sluice l_web meta mark 0 meta mark set jhash ip saddr . tcp sport . tcp dport mod 65537 seed 0x00000001 map @l_web_slots");
    }

    @Test
    void listingIsParsedIntoObjects() {
        String terse = """
                table ip sluice {
                	comment "managed by sluice direct routing; do not edit"
                	counter c_web__k1 {
                		packets 0 bytes 0
                	}
                	map l_web_slots {
                		typeof numgen inc mod 2 : meta mark
                	}
                	set l_web_live {
                		typeof meta mark
                	}
                	chain l_web {
                		notrack
                	}
                }
                """;
        assertEquals(Set.of("counter c_web__k1", "map l_web_slots", "set l_web_live", "chain l_web"),
                NftScript.parseObjects(terse));
    }

    private static String listing(Set<String> objects) {
        StringBuilder out = new StringBuilder("table ip sluice {\n");
        objects.forEach(o -> out.append('\t').append(o).append(" {\n\t}\n"));
        return out.append("}\n").toString();
    }

    private static void assertContainsLine(String script, String line) {
        assertTrue(script.lines().anyMatch(line::equals), () -> "no line\n" + line + "\nin\n" + script);
    }
}
