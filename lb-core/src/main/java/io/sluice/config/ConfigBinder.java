package io.sluice.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a document's root into a {@link SluiceConfig}: listeners, timeouts, limits, and the checks
 * that span sections. Pools are read by {@link PoolBinder}. Errors go to {@link Problems}; the config
 * returned is only meaningful when none were reported.
 */
final class ConfigBinder {

    static final List<String> ROOT_KEYS = List.of("listeners", "pools", "timeouts", "limits");
    static final List<String> LISTENER_KEYS = List.of("name", "bind", "mode", "pool");
    static final List<String> TIMEOUT_KEYS = List.of("idle", "shutdown-grace");
    static final List<String> LIMIT_KEYS = List.of("max-connections", "max-connections-per-source");

    /** No configured duration may exceed a year: this keeps {@code Duration.toNanos()} safe everywhere. */
    static final Duration MAX_DURATION = Duration.ofHours(8760);
    static final String MAX_DURATION_TEXT = "8760h";

    private static final int MAX_CONNECTIONS = 10_000_000;

    private final String source;

    ConfigBinder(String source) {
        this.source = source;
    }

    /**
     * A listener as read. Each part is kept even when another part is broken, so the cross-checks can
     * still report, say, an unknown pool on a listener whose bind address is also wrong.
     */
    private record ListenerEntry(YamlValue at, Optional<String> name, YamlValue nameAt,
                                 Optional<InetSocketAddress> bind, YamlValue bindAt,
                                 ListenerMode mode, Optional<String> pool, YamlValue poolAt) {

        Optional<ListenerConfig> config() {
            if (name.isEmpty() || bind.isEmpty() || pool.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new ListenerConfig(name.get(), bind.get(), mode, pool.get(), at.line()));
        }
    }

    SluiceConfig bind(YamlValue root) {
        Optional<YamlMapping> found = root.isNull() ? Optional.empty() : root.mapping(ROOT_KEYS);
        if (root.isNull()) {
            root.problems().add(0, "", "the configuration is empty (expected listeners and pools)");
        }
        if (found.isEmpty()) {
            return new SluiceConfig(source, List.of(), Map.of(), TimeoutsConfig.DEFAULTS, LimitsConfig.DEFAULTS);
        }
        YamlMapping m = found.get();
        List<ListenerEntry> listeners = m.require("listeners").map(this::listeners).orElse(List.of());
        PoolBinder poolBinder = new PoolBinder();
        Map<String, PoolConfig> pools = m.require("pools").map(poolBinder::bind).orElse(Map.of());
        TimeoutsConfig timeouts = m.get("timeouts").map(ConfigBinder::timeouts).orElse(TimeoutsConfig.DEFAULTS);
        LimitsConfig limits = m.get("limits").map(ConfigBinder::limits).orElse(LimitsConfig.DEFAULTS);

        checkUnique(listeners);
        checkPoolsExist(listeners, poolBinder.declaredNames());
        List<ListenerConfig> configs = listeners.stream().flatMap(l -> l.config().stream()).toList();
        return new SluiceConfig(source, configs, pools, timeouts, limits);
    }

    private List<ListenerEntry> listeners(YamlValue section) {
        List<ListenerEntry> listeners = new ArrayList<>();
        Optional<List<YamlValue>> elements = section.sequence();
        if (elements.isPresent() && elements.get().isEmpty()) {
            section.error("at least one listener is required");
        }
        for (YamlValue element : elements.orElse(List.of())) {
            listener(element).ifPresent(listeners::add);
        }
        return listeners;
    }

    private Optional<ListenerEntry> listener(YamlValue element) {
        Optional<YamlMapping> found = element.mapping(LISTENER_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<YamlValue> nameAt = m.require("name");
        Optional<YamlValue> bindAt = m.require("bind");
        ListenerMode mode = m.get("mode").flatMap(ConfigBinder::mode).orElse(ListenerMode.TCP);
        Optional<YamlValue> poolAt = m.require("pool");
        return Optional.of(new ListenerEntry(element,
                nameAt.flatMap(YamlValue::name), nameAt.orElse(element),
                bindAt.flatMap(ConfigBinder::bindAddress), bindAt.orElse(element),
                mode, poolAt.flatMap(YamlValue::text).map(String::trim), poolAt.orElse(element)));
    }

    private static Optional<InetSocketAddress> bindAddress(YamlValue value) {
        return value.text().flatMap(text -> {
            try {
                return Optional.of(Addresses.bind(text.trim()));
            } catch (IllegalArgumentException e) {
                value.error(e.getMessage());
                return Optional.empty();
            }
        });
    }

    private static Optional<ListenerMode> mode(YamlValue value) {
        // tls is planned, so it gets a clearer message than "unknown value".
        if (value.text().filter(t -> t.trim().equals("tls")).isPresent()) {
            value.error("tls mode is not supported yet (expected tcp)");
            return Optional.empty();
        }
        return value.oneOf(ListenerMode.values(), ListenerMode::yamlName);
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

    private static void checkUnique(List<ListenerEntry> listeners) {
        Map<String, ListenerEntry> byName = new HashMap<>();
        Map<InetSocketAddress, ListenerEntry> byBind = new HashMap<>();
        for (ListenerEntry l : listeners) {
            l.name().ifPresent(name -> {
                ListenerEntry first = byName.putIfAbsent(name, l);
                if (first != null) {
                    l.nameAt().error("duplicate listener name '" + name + "' (first at line "
                            + first.nameAt().line() + ")");
                }
            });
            l.bind().ifPresent(bind -> {
                ListenerEntry first = byBind.putIfAbsent(bind, l);
                if (first != null) {
                    String owner = first.name().map(n -> "listener '" + n + "'").orElse("another listener");
                    l.bindAt().error("address already used by " + owner + " (line " + first.bindAt().line() + ")");
                }
            });
        }
    }

    private static void checkPoolsExist(List<ListenerEntry> listeners, List<String> pools) {
        if (pools.isEmpty()) {
            return; // the missing or empty pools section is reported already
        }
        for (ListenerEntry l : listeners) {
            l.pool().filter(pool -> !pools.contains(pool)).ifPresent(pool -> l.poolAt().error(
                    "unknown pool " + YamlValue.quote(pool) + " (pools: " + String.join(", ", pools) + ")"));
        }
    }
}
