package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.yaml.ConfigError;
import io.sluice.yaml.ConfigException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void shippedConfigLoads() throws Exception {
        // Surefire runs in the lb-core module directory.
        SluiceConfig config = ConfigLoader.load(Path.of("../conf/sluice.yaml"));

        assertEquals("2 listeners, 2 pools, 4 backends", config.summary());
        assertEquals(List.of("chat", "web"), config.listeners().stream().map(ListenerConfig::name).toList());
        assertEquals(new InetSocketAddress("127.0.0.1", 7000), config.listeners().get(0).bind());
        assertEquals(new InetSocketAddress("127.0.0.1", 7001), config.listeners().get(1).bind());
        assertEquals(List.of("chat", "web"), List.copyOf(config.pools().keySet()));

        PoolConfig chat = config.pools().get("chat");
        assertEquals(BalanceAlgorithm.MAGLEV, chat.balance());
        assertEquals(StickyKeyType.SOURCE_IP, chat.sticky().key());
        PoolConfig web = config.pools().get("web");
        assertEquals(BalanceAlgorithm.ROUND_ROBIN, web.balance());
        assertEquals(StickyConfig.NONE, web.sticky());
        for (PoolConfig pool : config.pools().values()) {
            assertEquals(List.of(
                    new BackendConfig("app-1", new InetSocketAddress("127.0.0.1", 9001), 100),
                    new BackendConfig("app-2", new InetSocketAddress("127.0.0.1", 9002), 100)), pool.backends());
        }
        assertEquals(TimeoutsConfig.DEFAULTS, config.timeouts());
        assertEquals(LimitsConfig.DEFAULTS, config.limits());
        for (PoolConfig pool : config.pools().values()) {
            assertEquals(HealthConfig.DEFAULTS, pool.health());
            assertEquals(PassiveConfig.DEFAULTS, pool.passive());
            assertEquals(Duration.ZERO, pool.slowStart());
            assertEquals(DrainConfig.DEFAULTS, pool.drain());
        }
        // A live, read-only admin listener, so the demo has a status page without a token file.
        assertEquals(new AdminConfig(new InetSocketAddress("127.0.0.1", 9900), null), config.admin());
        assertEquals(new StateConfig("local", Path.of("../conf/sluice.state.json").toAbsolutePath().normalize()),
                config.state());
    }

    @Test
    void shippedConfigAsTextHasNoStateFile() throws Exception {
        // What `sluice demo` does with its built-in copy: there is no directory to put the state file in.
        SluiceConfig config = ConfigLoader.parse(Files.readString(Path.of("../conf/sluice.yaml")), "built-in");
        assertEquals(new StateConfig("local", null), config.state());
        assertEquals("2 listeners, 2 pools, 4 backends", config.summary());
    }

    @Test
    void shippedTlsExampleLoadsOnceUncommented() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("../conf/sluice.yaml")));
        int start = lines.indexOf("  # - name: https");
        assertTrue(start > 0, "the tls example is missing from conf/sluice.yaml");
        for (int i = start; i < lines.size() && lines.get(i).startsWith("  # "); i++) {
            lines.set(i, "  " + lines.get(i).substring(4));
        }
        SluiceConfig config = ConfigLoader.parse(String.join("\n", lines), "sluice.yaml");
        assertEquals("3 listeners, 2 pools, 4 backends", config.summary());
        ListenerConfig https = config.listeners().get(2);
        assertEquals(ListenerMode.TLS, https.mode());
        assertEquals(3, https.tls().routes().size());
        assertEquals("web", https.tls().defaultPool());
        assertEquals(ProxyProtocolVersion.OFF, config.pools().get("chat").sendProxyProtocol());
    }

    @Test
    void defaults() {
        SluiceConfig config = Yaml.load(Yaml.MINIMAL);

        ListenerConfig listener = config.listeners().get(0);
        assertEquals(ListenerMode.TCP, listener.mode());
        assertEquals(2, listener.line());
        PoolConfig pool = config.pools().get("chat");
        assertEquals(BalanceAlgorithm.ROUND_ROBIN, pool.balance());
        assertEquals(StickyConfig.NONE, pool.sticky());
        assertEquals(Duration.ofSeconds(3), pool.connectTimeout());
        assertEquals(2, pool.retries());
        assertEquals(65537, pool.maglevTableSize());
        assertEquals(100, pool.backends().get(0).weight());
        assertEquals(new TimeoutsConfig(Duration.ofHours(1), Duration.ofSeconds(30)), config.timeouts());
        assertEquals(new LimitsConfig(100_000, 0), config.limits());
        assertEquals(HealthConfig.DEFAULTS, pool.health());
        assertEquals(PassiveConfig.DEFAULTS, pool.passive());
        assertEquals(Duration.ZERO, pool.slowStart());
        assertEquals(DrainConfig.DEFAULTS, pool.drain());
        assertEquals(null, config.admin());
        assertEquals(new StateConfig("local", null), config.state());
        assertEquals(Yaml.FILE, config.source());
        assertEquals("1 listener, 1 pool, 1 backend", config.summary());
    }

    @Test
    void maglevDefaultsToSourceIpStickiness() {
        SluiceConfig config = Yaml.load(Yaml.MINIMAL.replace("  chat:\n", "  chat:\n    balance: maglev\n"));
        StickyConfig sticky = config.pools().get("chat").sticky();
        assertEquals(StickyKeyType.SOURCE_IP, sticky.key());
        assertEquals(24, sticky.prefixV4());
        assertEquals(64, sticky.prefixV6());
        assertEquals(Duration.ofMinutes(30), sticky.tableTtl());
        assertEquals(100_000, sticky.tableSize());
    }

    @Test
    void emptySectionsMeanDefaults() {
        SluiceConfig config = Yaml.load(Yaml.MINIMAL + "timeouts:\nlimits:\n");
        assertEquals(TimeoutsConfig.DEFAULTS, config.timeouts());
        assertEquals(LimitsConfig.DEFAULTS, config.limits());
    }

    @Test
    void everyKeySet() {
        SluiceConfig config = Yaml.load("""
                listeners:
                  - name: in.1
                    bind: 127.0.0.1:7000
                    mode: tcp
                    pool: p_1
                pools:
                  p_1:
                    balance: maglev
                    sticky:
                      key: source-prefix
                      prefix-v4: 16
                      prefix-v6: 48
                      table-ttl: 90s
                      table-size: 10
                    maglev-table-size: 251
                    connect-timeout: 1500ms
                    retries: 0
                    health:
                      type: tls-hello
                      interval: 10s
                      timeout: 3s
                      rise: 3
                      fall: 2
                      verify-certificate: true
                    passive: { consecutive-failures: 10, ejection: 1m }
                    slow-start: 30s
                    drain: { deadline: 10m, close-rate: 50/s }
                    backends:
                      - { name: a, address: 10.0.0.1:80, weight: 0 }
                      - { name: b, address: "[2001:db8::1]:80", weight: 1000 }
                timeouts:
                  idle: 0
                  shutdown-grace: 2m
                limits:
                  max-connections: 1
                  max-connections-per-source: 10000000
                admin:
                  bind: "[::1]:9900"
                state:
                  store: local
                  file: /var/lib/sluice/state.json
                """);
        PoolConfig pool = config.pools().get("p_1");
        assertEquals(new StickyConfig(StickyKeyType.SOURCE_PREFIX, 16, 48, Duration.ofSeconds(90), 10), pool.sticky());
        assertEquals(251, pool.maglevTableSize());
        assertEquals(Duration.ofMillis(1500), pool.connectTimeout());
        assertEquals(0, pool.retries());
        assertEquals(0, pool.backends().get(0).weight());
        assertEquals(new InetSocketAddress("2001:db8::1", 80), pool.backends().get(1).address());
        assertEquals(new TimeoutsConfig(Duration.ZERO, Duration.ofMinutes(2)), config.timeouts());
        assertEquals(new LimitsConfig(1, 10_000_000), config.limits());
        assertEquals(new HealthConfig(HealthCheckType.TLS_HELLO, Duration.ofSeconds(10), Duration.ofSeconds(3), 3, 2,
                HttpCheckConfig.DEFAULTS, true), pool.health());
        assertEquals(new PassiveConfig(10, Duration.ofMinutes(1)), pool.passive());
        assertEquals(Duration.ofSeconds(30), pool.slowStart());
        assertEquals(new DrainConfig(Duration.ofMinutes(10), 50), pool.drain());
        assertEquals(new AdminConfig(new InetSocketAddress("::1", 9900), null), config.admin());
        assertEquals(new StateConfig("local", Path.of("/var/lib/sluice/state.json")), config.state());
    }

    @Test
    void ipv6AndWildcardBinds() {
        SluiceConfig config = Yaml.load("""
                listeners:
                  - { name: v6, bind: "[::1]:7000", pool: chat }
                  - { name: all, bind: ":7001", pool: chat }
                  - name: all-plain
                    bind: :7002
                    pool: chat
                  - { name: local, bind: "localhost:7003", pool: chat }
                pools:
                  chat:
                    backends:
                      - { name: app-1, address: "localhost:9001" }
                """);
        List<ListenerConfig> l = config.listeners();
        assertEquals(new InetSocketAddress("::1", 7000), l.get(0).bind());
        assertEquals(new InetSocketAddress(7001), l.get(1).bind());
        assertTrue(l.get(1).bind().getAddress().isAnyLocalAddress());
        assertEquals(new InetSocketAddress(7002), l.get(2).bind());
        assertTrue(l.get(3).bind().getAddress().isLoopbackAddress());
        assertEquals(7003, l.get(3).bind().getPort());
        assertTrue(config.pools().get("chat").backends().get(0).address().getAddress().isLoopbackAddress());
    }

    @Test
    void everythingIsImmutable() {
        SluiceConfig config = Yaml.load(Yaml.MINIMAL);
        assertThrows(UnsupportedOperationException.class, () -> config.listeners().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.pools().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.pools().get("chat").backends().clear());
    }

    @Test
    void recordsCopyTheirCollections() {
        var pools = new LinkedHashMap<String, PoolConfig>();
        var config = new SluiceConfig("x", new ArrayList<>(), pools, TimeoutsConfig.DEFAULTS,
                LimitsConfig.DEFAULTS, null, new StateConfig("local", null), null);
        pools.put("late", null);
        assertTrue(config.pools().isEmpty());
    }

    @Test
    void missingFileIsOneErrorAtLineZero() {
        Path missing = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals(List.of(new ConfigError(missing.toString(), 0, "", "cannot read: no such file")), e.errors());
        assertEquals(missing + ":0: cannot read: no such file", e.getMessage());
    }

    @Test
    void directoryIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));
        assertEquals(1, e.errors().size());
        assertEquals(0, e.errors().get(0).line());
    }

    @Test
    void nonUtf8IsAnError() throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals("cannot read: not UTF-8 text", e.errors().get(0).message());
    }

    @Test
    void byteOrderMarkIsIgnored() throws Exception {
        Path file = dir.resolve("bom.yaml");
        Files.writeString(file, "\uFEFF" + Yaml.MINIMAL, StandardCharsets.UTF_8);
        assertEquals("1 listener, 1 pool, 1 backend", ConfigLoader.load(file).summary());
    }

    @Test
    void loadNamesTheFileInErrors() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, Yaml.MINIMAL.replace("7000", "0"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file.toString(), e.errors().get(0).file());
        assertEquals(3, e.errors().get(0).line());
    }
}
