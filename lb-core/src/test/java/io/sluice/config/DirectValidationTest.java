package io.sluice.config;

import static io.sluice.config.Yaml.assertError;
import static io.sluice.config.Yaml.errors;
import static io.sluice.config.Yaml.load;
import static io.sluice.config.Yaml.onlyError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.config.DirectListenerConfig.DirectProtocol;
import io.sluice.config.DirectListenerConfig.FlowKey;
import io.sluice.yaml.ConfigError;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code direct} section: one test per rule, each with its exact message, line and key (ValidationErrorsTest's style). */
class DirectValidationTest {

    /** A valid direct-only config; the listener's keys are on lines 4.. (name on 3). */
    private static String direct(String listenerBody) {
        return """
                direct:
                  listeners:
                    - name: video
                """ + listenerBody.indent(6) + """
                pools:
                  video:
                    balance: maglev
                    maglev-table-size: 251
                    backends:
                      - { name: k1, address: 198.51.100.11:8080 }
                      - { name: k2, address: 198.51.100.12:8080 }
                """;
    }

    private static final String VALID = "vip: 203.0.113.10\nports: [443]\npool: video\n";

    @Test
    void aValidSectionWithDefaults() {
        SluiceConfig c = load(direct(VALID));
        DirectConfig d = c.direct();
        assertEquals("sluice", d.table());
        assertFalse(d.removeTableOnStop());
        assertEquals(DirectConfig.DEFAULT_HASH_SEED, d.hashSeed());
        assertEquals(1000, d.rulePriority());
        DirectListenerConfig l = d.listeners().get(0);
        assertEquals("203.0.113.10", l.vip().getHostAddress());
        assertEquals(List.of(443), l.ports());
        assertEquals(DirectProtocol.TCP, l.protocol());
        assertEquals(FlowKey.FIVE_TUPLE, l.flowKey());
        assertEquals(Duration.ofMinutes(5), l.flowIdleTimeout());
        assertEquals(262_144, l.maxFlows());
        assertEquals(3, l.line());
        assertEquals(List.of(), c.listeners(), "a direct-only config needs no proxy listener");
        assertEquals("0 listeners, 1 direct listener, 1 pool, 2 backends", c.summary());
    }

    @Test
    void everyKeySet() {
        String yaml = """
                direct:
                  table: edge_lb
                  remove-table-on-stop: true
                  hash-seed: 0xdeadbeef
                  rule-priority: 200
                  listeners:
                    - { name: quic, vip: 203.0.113.20, ports: [443, 8443], protocol: udp, pool: video,
                        flow-key: source, flow-idle-timeout: 2m, max-flows: 4096 }
                pools:
                  video: { balance: maglev, backends: [ { name: k1, address: 198.51.100.11:443 } ] }
                """;
        DirectConfig d = load(yaml).direct();
        assertEquals("edge_lb", d.table());
        assertEquals(true, d.removeTableOnStop());
        assertEquals(0xdeadbeefL, d.hashSeed());
        assertEquals(200, d.rulePriority());
        DirectListenerConfig l = d.listeners().get(0);
        assertEquals(List.of(443, 8443), l.ports());
        assertEquals(DirectProtocol.UDP, l.protocol());
        assertEquals(FlowKey.SOURCE, l.flowKey());
        assertEquals(Duration.ofMinutes(2), l.flowIdleTimeout());
        assertEquals(4096, l.maxFlows());
    }

    @Test
    void noDirectSectionMeansNull() {
        assertNull(load(Yaml.MINIMAL).direct());
    }

    @Test
    void vipMustBeIpv4() {
        assertEquals("'203.0.113' (expected an IPv4 address like 203.0.113.10)",
                onlyError(direct("vip: 203.0.113\nports: [443]\npool: video\n"), 4, "direct.listeners[0].vip"));
        assertEquals("'2001:db8::1' (IPv6 VIPs are not supported yet; expected an IPv4 address like 203.0.113.10)",
                onlyError(direct("vip: 2001:db8::1\nports: [443]\npool: video\n"), 4, "direct.listeners[0].vip"));
    }

    @Test
    void portsMustBeAListOfPorts() {
        assertEquals("70000 (expected 1..65535)",
                onlyError(direct("vip: 203.0.113.10\nports: [443, 70000]\npool: video\n"), 5, "direct.listeners[0].ports[1]"));
        assertEquals("duplicate port 443",
                onlyError(direct("vip: 203.0.113.10\nports: [443, 443]\npool: video\n"), 5, "direct.listeners[0].ports[1]"));
        assertEquals("at least one port is required",
                onlyError(direct("vip: 203.0.113.10\nports: []\npool: video\n"), 5, "direct.listeners[0].ports"));
    }

    @Test
    void protocolAndFlowKeyAreWords() {
        assertEquals("'sctp' (expected tcp or udp)",
                onlyError(direct(VALID + "protocol: sctp\n"), 7, "direct.listeners[0].protocol"));
        assertEquals("'5tuple' (expected 5-tuple or source) (did you mean '5-tuple'?)",
                onlyError(direct(VALID + "flow-key: 5tuple\n"), 7, "direct.listeners[0].flow-key"));
    }

    @Test
    void flowIdleTimeoutAndMaxFlowsAreBounded() {
        assertEquals("500ms (expected 1s to 24h)",
                onlyError(direct(VALID + "flow-idle-timeout: 500ms\n"), 7, "direct.listeners[0].flow-idle-timeout"));
        assertEquals("100 (expected 1024..16777216)",
                onlyError(direct(VALID + "max-flows: 100\n"), 7, "direct.listeners[0].max-flows"));
    }

    @Test
    void unknownPool() {
        assertEquals("unknown pool 'vidoe' (pools: video)",
                onlyError(direct("vip: 203.0.113.10\nports: [443]\npool: vidoe\n"), 6, "direct.listeners[0].pool"));
    }

    @Test
    void poolMustBalanceWithMaglev() {
        String yaml = direct(VALID).replace("    balance: maglev\n", "    balance: round-robin\n");
        assertEquals("pool 'video' balances with round-robin; a direct listener needs balance: maglev"
                + " (its table is what the kernel looks flows up in)", onlyError(yaml, 6, "direct.listeners[0].pool"));
    }

    @Test
    void backendsMustBeIpv4AndDistinctAddresses() {
        String yaml = direct(VALID).replace("198.51.100.12:8080", "198.51.100.11:8081");
        assertEquals("pool 'video': backends 'k1' and 'k2' share the address 198.51.100.11"
                + " (direct routing tells backends apart by address)", onlyError(yaml, 6, "direct.listeners[0].pool"));
        String v6 = direct(VALID).replace("198.51.100.12:8080", "\"[2001:db8::12]:8080\"");
        assertEquals("pool 'video': backend 'k2' is not an IPv4 address"
                + " (direct routing forwards to IPv4 backends on the balancer's own network)",
                onlyError(v6, 6, "direct.listeners[0].pool"));
    }

    @Test
    void duplicateNameAndVipPort() {
        String yaml = """
                direct:
                  listeners:
                    - { name: a, vip: 203.0.113.10, ports: [443], pool: video }
                    - { name: a, vip: 203.0.113.11, ports: [443], pool: video }
                    - { name: b, vip: 203.0.113.10, ports: [80, 443], pool: video }
                    - { name: c, vip: 203.0.113.10, ports: [443], protocol: udp, pool: video }
                pools:
                  video: { balance: maglev, backends: [ { name: k1, address: 198.51.100.11:443 } ] }
                """;
        List<ConfigError> errors = errors(yaml);
        assertEquals(2, errors.size(), Yaml.render(errors));
        assertEquals("duplicate direct listener name 'a' (first at line 3)", assertError(errors, 4, "direct.listeners[1].name"));
        assertEquals("203.0.113.10 tcp port 443 is already served by direct listener 'a' (line 3)",
                assertError(errors, 5, "direct.listeners[2].ports"));
    }

    @Test
    void sectionKeys() {
        String yaml = direct(VALID).replace("direct:\n", "direct:\n  table: 9lives\n  hash-seed: -1\n  rule-priority: 40000\n  remove-table: true\n");
        List<ConfigError> errors = errors(yaml);
        assertEquals(4, errors.size(), Yaml.render(errors));
        assertEquals("'9lives' (expected an nft table name: a letter, then up to 31 letters, digits or '_')",
                assertError(errors, 2, "direct.table"));
        assertEquals("'-1' (expected an integer 0..4294967295, decimal or 0x-hex)", assertError(errors, 3, "direct.hash-seed"));
        assertEquals("40000 (expected 1..32765)", assertError(errors, 4, "direct.rule-priority"));
        Yaml.assertContains(assertError(errors, 5, "direct.remove-table"), "unknown key 'remove-table'");
    }

    @Test
    void listenersRequired() {
        assertEquals("at least one direct listener is required (leave the direct section out for none)",
                onlyError(Yaml.MINIMAL + "direct:\n  listeners: []\n", 11, "direct.listeners"));
        assertEquals("required key is missing",
                onlyError(Yaml.MINIMAL + "direct:\n  table: t\n", 11, "direct.listeners"));
    }

    @Test
    void withoutDirectTheProxyListenersAreStillRequired() {
        assertEquals("required key is missing", onlyError("pools:\n  a: { backends: [ { name: k, address: 127.0.0.1:1 } ] }\n",
                1, "listeners"));
    }
}
