package io.sluice.config;

import io.sluice.yaml.Problems;
import io.sluice.yaml.YamlMapping;
import io.sluice.yaml.YamlValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a document's root into a {@link SluiceConfig}: timeouts, limits, and the checks that span
 * sections. Listeners are read by {@link ListenerBinder}, pools by {@link PoolBinder}, admin and state
 * by {@link AdminBinder}, discovery (the registries and each pool's {@code discover}) by
 * {@link DiscoveryBinder}. Errors go to
 * {@link Problems}; the config returned is only meaningful when none were reported.
 */
final class ConfigBinder {

    static final List<String> ROOT_KEYS = List.of("listeners", "pools", "admin", "state", "timeouts", "limits", "discovery", "handover",
            "direct");
    static final List<String> TIMEOUT_KEYS = List.of("idle", "shutdown-grace");
    static final List<String> LIMIT_KEYS = List.of("max-connections", "max-connections-per-source");

    /** No configured duration may exceed a year: this keeps {@code Duration.toNanos()} safe everywhere. */
    static final Duration MAX_DURATION = Duration.ofHours(8760);
    static final String MAX_DURATION_TEXT = "8760h";

    private static final int MAX_CONNECTIONS = 10_000_000;

    private final String source;
    private final AdminBinder adminBinder;

    /** @param configFile the file the YAML came from, or null for text: relative paths resolve against its directory */
    ConfigBinder(String source, Path configFile) {
        this.source = source;
        this.adminBinder = new AdminBinder(configFile);
    }

    SluiceConfig bind(YamlValue root) {
        Optional<YamlMapping> found = root.isNull() ? Optional.empty() : root.mapping(ROOT_KEYS);
        if (root.isNull()) {
            root.problems().add(0, "", "the configuration is empty (expected listeners and pools)");
        }
        if (found.isEmpty()) {
            return new SluiceConfig(source, List.of(), Map.of(), TimeoutsConfig.DEFAULTS, LimitsConfig.DEFAULTS,
                    null, new StateConfig(AdminBinder.LOCAL_STORE, null), null);
        }
        YamlMapping m = found.get();
        ListenerBinder listeners = new ListenerBinder();
        // A balancer with only direct listeners needs no proxy listener.
        (m.get("direct").isPresent() ? m.get("listeners") : m.require("listeners")).ifPresent(listeners::read);
        // Before the pools: a pool's discover is checked against the registries configured here.
        DiscoveryBinder discoveryBinder = new DiscoveryBinder(adminBinder);
        DiscoveryConfig discovery = discoveryBinder.discovery(m.get("discovery"));
        PoolBinder poolBinder = new PoolBinder(discoveryBinder);
        Map<String, PoolConfig> pools = m.require("pools").map(poolBinder::bind).orElse(Map.of());
        TimeoutsConfig timeouts = m.get("timeouts").map(ConfigBinder::timeouts).orElse(TimeoutsConfig.DEFAULTS);
        LimitsConfig limits = m.get("limits").map(ConfigBinder::limits).orElse(LimitsConfig.DEFAULTS);
        // A key with nothing after it counts as absent, as everywhere: `admin:` alone means no admin listener.
        AdminConfig admin = m.get("admin").map(v -> adminBinder.admin(v, listeners)).orElse(null);
        StateConfig state = adminBinder.state(m.get("state"), discovery);
        HandoverConfig handover = m.get("handover").map(adminBinder::handover).orElse(null);

        listeners.check(poolBinder.declaredNames());
        DirectBinder direct = new DirectBinder();
        m.get("direct").ifPresent(section -> {
            direct.read(section);
            direct.check(pools, poolBinder.declaredNames());
        });
        return new SluiceConfig(source, listeners.configs(), pools, timeouts, limits, admin, state, discovery, handover,
                direct.config());
    }

    private static TimeoutsConfig timeouts(YamlValue section) {
        Optional<YamlMapping> found = section.mapping(TIMEOUT_KEYS);
        if (found.isEmpty()) {
            return TimeoutsConfig.DEFAULTS;
        }
        String range = "0 to " + MAX_DURATION_TEXT;
        Duration idle = found.get().duration("idle", Duration.ZERO, MAX_DURATION, range,
                TimeoutsConfig.DEFAULTS.idle());
        Duration grace = found.get().duration("shutdown-grace", Duration.ZERO, MAX_DURATION, range,
                TimeoutsConfig.DEFAULTS.shutdownGrace());
        return new TimeoutsConfig(idle, grace);
    }

    private static LimitsConfig limits(YamlValue section) {
        Optional<YamlMapping> found = section.mapping(LIMIT_KEYS);
        if (found.isEmpty()) {
            return LimitsConfig.DEFAULTS;
        }
        int max = found.get().integer("max-connections", 1, MAX_CONNECTIONS,
                LimitsConfig.DEFAULTS.maxConnections());
        int perSource = found.get().integer("max-connections-per-source", 0, MAX_CONNECTIONS,
                LimitsConfig.DEFAULTS.maxConnectionsPerSource());
        return new LimitsConfig(max, perSource);
    }
}
