package io.sluice.config;

import io.sluice.config.DirectListenerConfig.DirectProtocol;
import io.sluice.config.DirectListenerConfig.FlowKey;
import io.sluice.yaml.YamlMapping;
import io.sluice.yaml.YamlValue;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads the {@code direct} section ({@link DirectConfig}). The checks against pools (the pool exists,
 * balances with Maglev, and its backends are IPv4 addresses told apart by address) run once pools are
 * known ({@link #check}).
 */
final class DirectBinder {

    static final List<String> SECTION_KEYS = List.of("table", "remove-table-on-stop", "hash-seed", "rule-priority",
            "listeners");
    static final List<String> LISTENER_KEYS = List.of("name", "vip", "ports", "protocol", "pool", "flow-key",
            "flow-idle-timeout", "max-flows");

    static final Duration MIN_FLOW_IDLE_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MAX_FLOW_IDLE_TIMEOUT = Duration.ofHours(24);
    static final int MIN_MAX_FLOWS = 1024;
    static final int MAX_MAX_FLOWS = 16_777_216;
    /** 32766 is the main table's rule: Sluice's must come before it. */
    static final int MAX_RULE_PRIORITY = 32_765;

    /** A listener as read, with where its parts were written, for the checks that need the pools. */
    private record Entry(DirectListenerConfig config, YamlValue nameAt, YamlValue portsAt, YamlValue poolAt) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private DirectConfig config;

    /** Reads the section; errors go to the section's problems. Null section: none. */
    void read(YamlValue section) {
        Optional<YamlMapping> found = section.mapping(SECTION_KEYS);
        if (found.isEmpty()) {
            return;
        }
        YamlMapping m = found.get();
        String table = m.get("table").flatMap(DirectBinder::tableName).orElse(DirectConfig.DEFAULT_TABLE);
        boolean remove = m.get("remove-table-on-stop").flatMap(YamlValue::bool).orElse(false);
        long seed = m.get("hash-seed").flatMap(DirectBinder::seed).orElse(DirectConfig.DEFAULT_HASH_SEED);
        int priority = m.integer("rule-priority", 1, MAX_RULE_PRIORITY, DirectConfig.DEFAULT_RULE_PRIORITY);
        Optional<YamlValue> listenersAt = m.require("listeners");
        Optional<List<YamlValue>> elements = listenersAt.flatMap(YamlValue::sequence);
        if (elements.isPresent() && elements.get().isEmpty()) {
            listenersAt.get().error("at least one direct listener is required (leave the direct section out for none)");
        }
        for (YamlValue element : elements.orElse(List.of())) {
            listener(element).ifPresent(entries::add);
        }
        config = new DirectConfig(table, remove, seed, priority, entries.stream().map(Entry::config).toList());
    }

    /** The section, or null when there is none. Meaningful only when no problem was reported. */
    DirectConfig config() {
        return config;
    }

    /** Unique names and VIP ports; each listener's pool declared, Maglev, with IPv4 backends of distinct addresses. */
    void check(Map<String, PoolConfig> pools, List<String> declaredPools) {
        Map<String, DirectListenerConfig> byName = new HashMap<>();
        Map<String, DirectListenerConfig> byPort = new HashMap<>();
        for (Entry e : entries) {
            DirectListenerConfig l = e.config();
            DirectListenerConfig first = byName.putIfAbsent(l.name(), l);
            if (first != null) {
                e.nameAt().error("duplicate direct listener name '" + l.name() + "' (first at line " + first.line() + ")");
            }
            for (int port : l.ports()) {
                String key = l.vip().getHostAddress() + " " + l.protocol().yamlName() + " " + port;
                // A listener's own ports are distinct (read() refuses repeats), so an owner is another listener.
                DirectListenerConfig owner = byPort.putIfAbsent(key, l);
                if (owner != null) {
                    e.portsAt().error(l.vip().getHostAddress() + " " + l.protocol().yamlName() + " port " + port
                            + " is already served by direct listener '" + owner.name() + "' (line " + owner.line() + ")");
                }
            }
            checkPool(e, pools, declaredPools);
        }
    }

    private static void checkPool(Entry e, Map<String, PoolConfig> pools, List<String> declaredPools) {
        String name = e.config().pool();
        PoolConfig pool = pools.get(name);
        if (pool == null) {
            if (!declaredPools.contains(name) && !declaredPools.isEmpty()) {
                e.poolAt().error("unknown pool " + YamlValue.quote(name) + " (pools: " + String.join(", ", declaredPools) + ")");
            }
            return; // a declared but broken pool is reported already
        }
        if (pool.balance() != BalanceAlgorithm.MAGLEV) {
            e.poolAt().error("pool '" + name + "' balances with " + pool.balance().yamlName()
                    + "; a direct listener needs balance: maglev (its table is what the kernel looks flows up in)");
            return;
        }
        Map<InetAddress, String> byAddress = new HashMap<>();
        for (BackendConfig b : pool.backends()) {
            InetAddress address = b.address().getAddress();
            if (!(address instanceof Inet4Address)) {
                e.poolAt().error("pool '" + name + "': backend '" + b.name() + "' is not an IPv4 address"
                        + " (direct routing forwards to IPv4 backends on the balancer's own network)");
                continue;
            }
            String other = byAddress.putIfAbsent(address, b.name());
            if (other != null) {
                e.poolAt().error("pool '" + name + "': backends '" + other + "' and '" + b.name() + "' share the address "
                        + address.getHostAddress() + " (direct routing tells backends apart by address)");
            }
        }
    }

    private Optional<Entry> listener(YamlValue element) {
        Optional<YamlMapping> found = element.mapping(LISTENER_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<YamlValue> nameAt = m.require("name");
        Optional<String> name = nameAt.flatMap(Names::read);
        Optional<Inet4Address> vip = m.require("vip").flatMap(DirectBinder::vip);
        Optional<YamlValue> portsAt = m.require("ports");
        Optional<List<Integer>> ports = portsAt.flatMap(DirectBinder::ports);
        Optional<DirectProtocol> protocol = m.get("protocol").isPresent()
                ? m.get("protocol").get().oneOf(DirectProtocol.values(), DirectProtocol::yamlName)
                : Optional.of(DirectProtocol.TCP);
        Optional<YamlValue> poolAt = m.require("pool");
        Optional<String> pool = poolAt.flatMap(v -> v.text().map(String::trim));
        Optional<FlowKey> flowKey = m.get("flow-key").isPresent()
                ? m.get("flow-key").get().oneOf(FlowKey.values(), FlowKey::yamlName)
                : Optional.of(FlowKey.FIVE_TUPLE);
        Duration idle = m.duration("flow-idle-timeout", MIN_FLOW_IDLE_TIMEOUT, MAX_FLOW_IDLE_TIMEOUT, "1s to 24h",
                DirectListenerConfig.DEFAULT_FLOW_IDLE_TIMEOUT);
        int maxFlows = m.integer("max-flows", MIN_MAX_FLOWS, MAX_MAX_FLOWS, DirectListenerConfig.DEFAULT_MAX_FLOWS);
        if (name.isEmpty() || vip.isEmpty() || ports.isEmpty() || protocol.isEmpty() || pool.isEmpty()
                || flowKey.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Entry(new DirectListenerConfig(name.get(), vip.get(), ports.get(), protocol.get(),
                pool.get(), flowKey.get(), idle, maxFlows, element.line()), nameAt.get(), portsAt.get(), poolAt.get()));
    }

    private static Optional<String> tableName(YamlValue value) {
        return value.text().map(String::trim).flatMap(t -> {
            if (DirectConfig.TABLE_NAME.matcher(t).matches()) {
                return Optional.of(t);
            }
            value.error(YamlValue.quote(t) + " (expected an nft table name: a letter, then up to 31 letters, digits or '_')");
            return Optional.empty();
        });
    }

    /** 0 to 2^32-1, decimal or 0x-hex: nft's jhash seed is 32 bits. */
    private static Optional<Long> seed(YamlValue value) {
        return value.text().map(String::trim).flatMap(t -> {
            try {
                long v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
                if (v >= 0 && v <= 0xFFFF_FFFFL) {
                    return Optional.of(v);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            value.error(YamlValue.quote(t) + " (expected an integer 0..4294967295, decimal or 0x-hex)");
            return Optional.empty();
        });
    }

    private static Optional<Inet4Address> vip(YamlValue value) {
        return value.text().map(String::trim).flatMap(t -> {
            if (t.contains(":")) {
                value.error(YamlValue.quote(t) + " (IPv6 VIPs are not supported yet; expected an IPv4 address like 203.0.113.10)");
                return Optional.empty();
            }
            byte[] bytes = Addresses.ipv4(t.matches("[0-9.]+") ? t : "");
            if (bytes == null) {
                value.error(YamlValue.quote(t) + " (expected an IPv4 address like 203.0.113.10)");
                return Optional.empty();
            }
            try {
                return Optional.of((Inet4Address) InetAddress.getByAddress(bytes));
            } catch (UnknownHostException cannotHappenForFourBytes) {
                throw new IllegalStateException(cannotHappenForFourBytes);
            }
        });
    }

    private static Optional<List<Integer>> ports(YamlValue value) {
        Optional<List<YamlValue>> elements = value.sequence();
        if (elements.isEmpty()) {
            return Optional.empty();
        }
        if (elements.get().isEmpty()) {
            value.error("at least one port is required");
            return Optional.empty();
        }
        Set<Integer> ports = new LinkedHashSet<>();
        boolean ok = true;
        for (YamlValue element : elements.get()) {
            OptionalInt port = element.integer(1, 65535);
            if (port.isEmpty()) {
                ok = false;
            } else if (!ports.add(port.getAsInt())) {
                element.error("duplicate port " + port.getAsInt());
                ok = false;
            }
        }
        return ok ? Optional.of(List.copyOf(ports)) : Optional.empty();
    }
}
