package io.sluice.config;

import io.sluice.balance.MaglevTable;
import io.sluice.yaml.YamlMapping;
import io.sluice.yaml.YamlValue;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the {@code pools} section into {@link PoolConfig}s, reporting every problem it finds. */
final class PoolBinder {

    static final List<String> POOL_KEYS =
            List.of("balance", "sticky", "maglev-table-size", "connect-timeout", "retries", "send-proxy-protocol",
                    "health", "passive", "slow-start", "drain", "backends", "discover");
    static final List<String> STICKY_KEYS = List.of("key", "prefix-v4", "prefix-v6", "table-ttl", "table-size");
    static final List<String> BACKEND_KEYS = List.of("name", "address", "weight");

    static final int DEFAULT_MAGLEV_TABLE_SIZE = MaglevTable.DEFAULT_SIZE;
    // The range operators may choose, well inside what MaglevTable accepts (up to MAX_SIZE); both
    // ends are prime, so a suggestion for anything in range stays in range.
    static final int MIN_MAGLEV_TABLE_SIZE = 251;
    static final int MAX_MAGLEV_TABLE_SIZE = 1_000_003;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(5);
    static final int DEFAULT_RETRIES = 2;
    static final int DEFAULT_WEIGHT = 100;

    private final DiscoveryBinder discovery;

    PoolBinder(DiscoveryBinder discovery) {
        this.discovery = discovery;
    }

    /** Every declared pool name, valid or not, so listeners are not also blamed for a broken pool. */
    private final List<String> declared = new ArrayList<>();

    List<String> declaredNames() {
        return declared;
    }

    /** The pools that read cleanly, in file order. */
    Map<String, PoolConfig> bind(YamlValue section) {
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        Optional<YamlMapping> mapping = section.mapping(null);
        if (mapping.isEmpty()) {
            return pools;
        }
        if (mapping.get().isEmpty()) {
            section.error("at least one pool is required");
            return pools;
        }
        for (YamlMapping.Entry entry : mapping.get().entries()) {
            declared.add(entry.key());
            if (!Names.isValid(entry.key())) {
                entry.keyValue().error(Names.invalidMessage(entry.key()));
            }
            pool(entry.key(), entry.value()).ifPresent(pool -> pools.put(pool.name(), pool));
        }
        return pools;
    }

    private Optional<PoolConfig> pool(String name, YamlValue value) {
        Optional<YamlMapping> found = value.mapping(POOL_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        BalanceAlgorithm balance = m.get("balance")
                .flatMap(v -> v.oneOf(BalanceAlgorithm.values(), BalanceAlgorithm::yamlName))
                .orElse(BalanceAlgorithm.ROUND_ROBIN);
        StickyConfig sticky = sticky(m, balance);
        int tableSize = m.get("maglev-table-size").map(PoolBinder::maglevTableSize).orElse(DEFAULT_MAGLEV_TABLE_SIZE);
        Duration connectTimeout = m.duration("connect-timeout", Duration.ofMillis(1), MAX_CONNECT_TIMEOUT,
                "more than 0 and at most 5m", DEFAULT_CONNECT_TIMEOUT);
        int retries = m.integer("retries", 0, 10, DEFAULT_RETRIES);
        ProxyProtocolVersion sendProxy = m.get("send-proxy-protocol")
                .flatMap(v -> v.oneOf(ProxyProtocolVersion.values(), ProxyProtocolVersion::yamlName))
                .orElse(ProxyProtocolVersion.OFF);
        HealthConfig health = HealthBinder.health(m);
        PassiveConfig passive = HealthBinder.passive(m);
        Duration slowStart = HealthBinder.slowStart(m);
        DrainConfig drain = HealthBinder.drain(m);
        // A pool that discovers its backends may also list static ones, or none at all. A broken
        // discover still counts as present, so the pool is not also blamed for having no backends.
        Optional<YamlMapping.Entry> discoverAt = m.entry("discover").filter(e -> !e.value().isNull());
        PoolDiscoverConfig discover = discoverAt.flatMap(discovery::discover).orElse(null);
        List<BackendConfig> backends = discoverAt.isPresent()
                ? m.get("backends").map(v -> backends(v, false)).orElse(List.of())
                : m.require("backends").map(v -> backends(v, true)).orElse(List.of());
        return Optional.of(new PoolConfig(name, balance, sticky, connectTimeout, retries, tableSize, sendProxy,
                backends, health, passive, slowStart, drain, discover));
    }

    private static StickyConfig sticky(YamlMapping pool, BalanceAlgorithm balance) {
        // Maglev hashes the sticky key, so it defaults to a key; other algorithms default to none.
        StickyKeyType defaultKey = balance == BalanceAlgorithm.MAGLEV ? StickyKeyType.SOURCE_IP : StickyKeyType.NONE;
        Optional<YamlValue> section = pool.get("sticky");
        if (section.isEmpty()) {
            return withKey(defaultKey);
        }
        Optional<YamlMapping> found = section.get().mapping(STICKY_KEYS);
        if (found.isEmpty()) {
            return withKey(defaultKey);
        }
        YamlMapping m = found.get();
        StickyKeyType key = defaultKey;
        Optional<YamlValue> keyValue = m.get("key");
        if (keyValue.isPresent()) {
            key = keyValue.get().oneOf(StickyKeyType.values(), StickyKeyType::yamlName).orElse(defaultKey);
            if (key == StickyKeyType.NONE && balance == BalanceAlgorithm.MAGLEV) {
                keyValue.get().error("maglev hashes the sticky key: use source-ip or source-prefix");
            }
        }
        int prefixV4 = m.integer("prefix-v4", 0, 32, StickyConfig.DEFAULT_PREFIX_V4);
        int prefixV6 = m.integer("prefix-v6", 0, 128, StickyConfig.DEFAULT_PREFIX_V6);
        Duration ttl = m.duration("table-ttl", Duration.ofMillis(1), ConfigBinder.MAX_DURATION,
                "more than 0 and at most " + ConfigBinder.MAX_DURATION_TEXT, StickyConfig.DEFAULT_TABLE_TTL);
        int tableSize = m.integer("table-size", 1, 10_000_000, StickyConfig.DEFAULT_TABLE_SIZE);
        return new StickyConfig(key, prefixV4, prefixV6, ttl, tableSize);
    }

    private static StickyConfig withKey(StickyKeyType key) {
        return new StickyConfig(key, StickyConfig.DEFAULT_PREFIX_V4, StickyConfig.DEFAULT_PREFIX_V6,
                StickyConfig.DEFAULT_TABLE_TTL, StickyConfig.DEFAULT_TABLE_SIZE);
    }

    private static int maglevTableSize(YamlValue value) {
        Optional<String> text = value.text();
        if (text.isEmpty()) {
            return DEFAULT_MAGLEV_TABLE_SIZE;
        }
        String s = text.get().trim();
        String expected = "expected a prime " + MIN_MAGLEV_TABLE_SIZE + ".." + MAX_MAGLEV_TABLE_SIZE;
        long n;
        try {
            n = Long.parseLong(s);
        } catch (NumberFormatException e) {
            value.error(YamlValue.quote(s) + " (" + expected + ")");
            return DEFAULT_MAGLEV_TABLE_SIZE;
        }
        if (n >= MIN_MAGLEV_TABLE_SIZE && n <= MAX_MAGLEV_TABLE_SIZE && MaglevTable.isPrime(n)) {
            return (int) n;
        }
        // MAX is itself prime, so the next prime of anything below it is in range.
        String suggestion = n <= MAX_MAGLEV_TABLE_SIZE
                ? "; the nearest prime above is " + MaglevTable.primeAtLeast(Math.max(n, MIN_MAGLEV_TABLE_SIZE))
                : "";
        value.error(n + " (" + expected + suggestion + ")");
        return DEFAULT_MAGLEV_TABLE_SIZE;
    }

    /** @param required whether an empty list is an error (it is not for a pool that discovers backends) */
    private List<BackendConfig> backends(YamlValue section, boolean required) {
        List<BackendConfig> backends = new ArrayList<>();
        Optional<List<YamlValue>> elements = section.sequence();
        if (elements.isEmpty()) {
            return backends;
        }
        if (elements.get().isEmpty() && required) {
            section.error("at least one backend is required");
            return backends;
        }
        Map<String, Integer> firstLineByName = new HashMap<>();
        for (YamlValue element : elements.get()) {
            backend(element, firstLineByName).ifPresent(backends::add);
        }
        return backends;
    }

    private static Optional<BackendConfig> backend(YamlValue element, Map<String, Integer> firstLineByName) {
        Optional<YamlMapping> found = element.mapping(BACKEND_KEYS);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = found.get();
        Optional<String> name = Optional.empty();
        Optional<YamlValue> nameValue = m.require("name");
        if (nameValue.isPresent()) {
            name = Names.read(nameValue.get());
            if (name.isPresent()) {
                Integer first = firstLineByName.putIfAbsent(name.get(), nameValue.get().line());
                if (first != null) {
                    nameValue.get().error("duplicate backend name '" + name.get() + "' (first at line " + first + ")");
                }
            }
        }
        Optional<InetSocketAddress> address = m.require("address").flatMap(PoolBinder::backendAddress);
        int weight = m.integer("weight", 0, 1000, DEFAULT_WEIGHT);
        if (name.isEmpty() || address.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new BackendConfig(name.get(), address.get(), weight));
    }

    private static Optional<InetSocketAddress> backendAddress(YamlValue value) {
        return value.text().flatMap(text -> {
            try {
                return Optional.of(Addresses.backend(text.trim()));
            } catch (IllegalArgumentException e) {
                value.error(e.getMessage());
                return Optional.empty();
            }
        });
    }
}
