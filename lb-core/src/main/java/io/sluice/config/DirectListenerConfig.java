package io.sluice.config;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One virtual service of the {@code direct} section: packets to {@code vip} on {@code ports}
 * ({@code protocol}) are forwarded, destination unchanged, to a backend of {@code pool} chosen by the
 * pool's Maglev table.
 *
 * @param name            unique among direct listeners; names the nft objects and metrics
 * @param vip             the virtual IP (IPv4), held by the backends on their loopback
 * @param ports           destination ports, unique, in file order
 * @param protocol        tcp or udp
 * @param pool            a pool that balances with {@code maglev}
 * @param flowKey         what the hash and the flow map are keyed on
 * @param flowIdleTimeout a flow nobody sent a packet on for this long is forgotten (then re-hashed)
 * @param maxFlows        the flow map's size; new flows beyond it follow the hash without being remembered
 * @param line            1-based YAML line of the entry
 */
public record DirectListenerConfig(String name, Inet4Address vip, List<Integer> ports, DirectProtocol protocol,
                                   String pool, FlowKey flowKey, Duration flowIdleTimeout, int maxFlows,
                                   int line) {

    public static final Duration DEFAULT_FLOW_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_FLOWS = 262_144;

    public DirectListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(flowKey, "flowKey");
        Objects.requireNonNull(flowIdleTimeout, "flowIdleTimeout");
        ports = List.copyOf(ports);
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("a direct listener needs at least one port");
        }
    }

    /** The transport protocol of a direct listener. */
    public enum DirectProtocol {
        TCP("tcp"), UDP("udp");

        private final String yamlName;

        DirectProtocol(String yamlName) {
            this.yamlName = yamlName;
        }

        /** The spelling in YAML, and nft's keyword. */
        public String yamlName() {
            return yamlName;
        }
    }

    /** Which packet fields identify a flow. */
    public enum FlowKey {
        /** Source address and port, destination port (address and protocol are the listener's). */
        FIVE_TUPLE("5-tuple"),
        /** The source address only: every flow of one client goes to one backend (chat stickiness). */
        SOURCE("source");

        private final String yamlName;

        FlowKey(String yamlName) {
            this.yamlName = yamlName;
        }

        public String yamlName() {
            return yamlName;
        }
    }
}
