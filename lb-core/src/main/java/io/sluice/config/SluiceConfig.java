package io.sluice.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A whole, validated configuration. Every pool a listener names (its {@code pool:} key, or the pools of its
 * routes, {@code default-pool} and {@code not-tls}) exists in {@link #pools()}.
 *
 * @param source    the file name it was loaded from, for messages
 * @param listeners in file order, unmodifiable
 * @param pools     by name in file order, unmodifiable
 * @param timeouts  process-wide timeouts
 * @param limits    process-wide limits
 * @param admin     the admin HTTP listener, or null when there is none
 * @param state     where admin overrides are kept
 * @param discovery the registries pools may discover backends from, or null
 * @param handover  the handover socket a new process takes over through, or null (none)
 * @param direct    the direct-routing listeners and the nft table they are programmed into, or null (none)
 */
public record SluiceConfig(String source, List<ListenerConfig> listeners, Map<String, PoolConfig> pools,
                           TimeoutsConfig timeouts, LimitsConfig limits, AdminConfig admin, StateConfig state,
                           DiscoveryConfig discovery, HandoverConfig handover, DirectConfig direct) {

    /** A config without a handover socket. */
    public SluiceConfig(String source, List<ListenerConfig> listeners, Map<String, PoolConfig> pools,
                        TimeoutsConfig timeouts, LimitsConfig limits, AdminConfig admin, StateConfig state,
                        DiscoveryConfig discovery) {
        this(source, listeners, pools, timeouts, limits, admin, state, discovery, null);
    }

    /** A config without direct-routing listeners. */
    public SluiceConfig(String source, List<ListenerConfig> listeners, Map<String, PoolConfig> pools,
                        TimeoutsConfig timeouts, LimitsConfig limits, AdminConfig admin, StateConfig state,
                        DiscoveryConfig discovery, HandoverConfig handover) {
        this(source, listeners, pools, timeouts, limits, admin, state, discovery, handover, null);
    }

    public SluiceConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(state, "state");
        listeners = List.copyOf(listeners);
        // Map.copyOf would lose file order, which operators expect in listings.
        pools = Collections.unmodifiableMap(new LinkedHashMap<>(pools));
    }

    /** One line for logs and {@code sluice check}, like {@code "2 listeners, 2 pools, 4 backends"}. */
    public String summary() {
        int backends = pools.values().stream().mapToInt(p -> p.backends().size()).sum();
        return count(listeners.size(), "listener")
                + (direct == null ? "" : ", " + count(direct.listeners().size(), "direct listener"))
                + ", " + count(pools.size(), "pool") + ", " + count(backends, "backend");
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
