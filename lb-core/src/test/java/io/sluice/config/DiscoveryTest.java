package io.sluice.config;

import static io.sluice.config.Yaml.MINIMAL;
import static io.sluice.config.Yaml.assertContains;
import static io.sluice.config.Yaml.assertError;
import static io.sluice.config.Yaml.errors;
import static io.sluice.config.Yaml.onlyError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.yaml.ConfigError;
import io.sluice.yaml.ConfigException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level discovery section and each pool's discover: defaults, then one test per rule. */
class DiscoveryTest {

    @TempDir
    Path dir;

    private static final Path CWD = Path.of("").toAbsolutePath();

    /** MINIMAL plus a discovery section starting at line 10. */
    private static String withDiscovery(String section) {
        return MINIMAL + "discovery:\n" + section;
    }

    private static final String CONSUL = "  consul:\n    address: http://127.0.0.1:8500\n";
    private static final String ZOOKEEPER = "  zookeeper:\n    connect: 127.0.0.1:2181\n";

    /**
     * A pool {@code chat} that discovers (its discover key at line 7, the registry at line 8), no static
     * backends, followed by {@code discovery}.
     */
    private static String discovering(String discover, String discovery) {
        return """
                listeners:
                  - name: chat
                    bind: 127.0.0.1:7000
                    pool: chat
                pools:
                  chat:
                    discover:
                """ + discover + (discovery.isEmpty() ? "" : "discovery:\n" + discovery);
    }

    // ---- defaults

    @Test
    void noDiscoveryByDefault() {
        SluiceConfig config = Yaml.load(MINIMAL);
        assertNull(config.discovery());
        assertNull(config.pools().get("chat").discover());
        assertNull(Yaml.load(MINIMAL + "discovery:\n").discovery());
    }

    @Test
    void consulDefaults() {
        DiscoveryConfig d = Yaml.load(withDiscovery(CONSUL)).discovery();
        assertEquals(new DiscoveryConfig(new ConsulRegistryConfig(URI.create("http://127.0.0.1:8500"), null, null),
                null, true), d);
    }

    @Test
    void zookeeperDefaults() {
        DiscoveryConfig d = Yaml.load(withDiscovery(ZOOKEEPER)).discovery();
        assertEquals(new DiscoveryConfig(null, new ZooKeeperRegistryConfig("127.0.0.1:2181", "/sluice"), true), d);
    }

    @Test
    void everythingSet() throws Exception {
        Path token = Files.writeString(dir.resolve("consul.token"), "abc\n");
        DiscoveryConfig d = Yaml.load(withDiscovery("""
                  consul:
                    address: HTTPS://consul.example.com:8501/
                    token-file: %s
                    datacenter: eu_west-1
                  zookeeper:
                    connect: zk1:2181,10.0.0.2:2182,"[::1]:2183"/apps/lb
                    base-path: /services/sluice
                  wait-for-first-snapshot: false
                """.formatted(token).replace("\"", ""))).discovery();
        assertEquals(new DiscoveryConfig(
                new ConsulRegistryConfig(URI.create("https://consul.example.com:8501"), token, "eu_west-1"),
                new ZooKeeperRegistryConfig("zk1:2181,10.0.0.2:2182,[::1]:2183/apps/lb", "/services/sluice"), false), d);
    }

    @Test
    void poolDiscoverDefaults() {
        SluiceConfig config = Yaml.load(discovering("      consul: { service: chat }\n", CONSUL));
        PoolConfig chat = config.pools().get("chat");
        assertEquals(new PoolDiscoverConfig("chat", List.of(), true, null), chat.discover());
        assertEquals(List.of(), chat.backends());
        assertEquals("1 listener, 1 pool, 0 backends", config.summary());

        assertEquals(new PoolDiscoverConfig(null, List.of(), true, "chat-v2.internal"),
                Yaml.load(discovering("      zookeeper: { service: chat-v2.internal }\n", ZOOKEEPER))
                        .pools().get("chat").discover());
    }

    @Test
    void poolDiscoverEverythingSet() {
        PoolConfig chat = Yaml.load(discovering(
                "      consul: { service: chat, tags: [edge, \"v=2\"], passing-only: false }\n", CONSUL))
                .pools().get("chat");
        assertEquals(new PoolDiscoverConfig("chat", List.of("edge", "v=2"), false, null), chat.discover());
    }

    @Test
    void discoveringPoolMayAlsoHaveStaticBackends() {
        PoolConfig chat = Yaml.load(discovering("      zookeeper: { service: chat }\n"
                + "    backends: [{ name: app-1, address: 127.0.0.1:9001 }]\n", ZOOKEEPER)).pools().get("chat");
        assertEquals(1, chat.backends().size());
        assertEquals("chat", chat.discover().zookeeperService());
        // And an empty list is fine when backends are discovered.
        assertEquals(List.of(), Yaml.load(discovering("      zookeeper: { service: chat }\n    backends: []\n",
                ZOOKEEPER)).pools().get("chat").backends());
    }

    @Test
    void discoverAloneCountsAsAbsentSoBackendsAreRequired() {
        assertEquals("required key is missing", onlyError(discovering("", ""), 7, "pools.chat.backends"));
        assertEquals("at least one backend is required",
                onlyError(MINIMAL.replace("    backends:\n      - name: app-1\n        address: 127.0.0.1:9001\n",
                        "    discover: ~\n    backends: []\n"), 8, "pools.chat.backends"));
    }

    // ---- discovery section

    @Test
    void discoveryMustBeAMapping() {
        assertEquals("expected a mapping, found 'consul'", onlyError(MINIMAL + "discovery: consul\n", 10, "discovery"));
    }

    @Test
    void unknownKeys() {
        assertEquals("unknown key 'consull' (did you mean 'consul'?)",
                onlyError(withDiscovery("  consull: {}\n"), 11, "discovery.consull"));
        assertEquals("unknown key 'base_path' (did you mean 'base-path'?)",
                onlyError(withDiscovery(ZOOKEEPER + "    base_path: /x\n"), 13, "discovery.zookeeper.base_path"));
        assertEquals("unknown key 'discovry' (did you mean 'discovery'?)",
                onlyError(MINIMAL + "discovry: {}\n", 10, "discovry"));
    }

    @Test
    void waitForFirstSnapshotIsABoolean() {
        assertEquals("'yes' (expected true or false)",
                onlyError(withDiscovery("  wait-for-first-snapshot: yes\n"), 11, "discovery.wait-for-first-snapshot"));
    }

    @Test
    void consulAddressIsRequired() {
        assertEquals("required key is missing", onlyError(withDiscovery("  consul: {}\n"), 11, "discovery.consul.address"));
        assertEquals("required key is missing",
                onlyError(withDiscovery("  consul:\n    datacenter: dc1\n"), 12, "discovery.consul.address"));
    }

    @Test
    void consulAddressMustBeHttpWithHostAndPort() {
        String key = "discovery.consul.address";
        assertEquals("'127.0.0.1:8500' (expected an http or https URI with host and port, like http://127.0.0.1:8500)",
                onlyError(withDiscovery("  consul:\n    address: 127.0.0.1:8500\n"), 12, key));
        assertContains(onlyError(withDiscovery("  consul:\n    address: ftp://127.0.0.1:8500\n"), 12, key),
                "expected an http or https URI");
        assertContains(onlyError(withDiscovery("  consul:\n    address: http://a b:8500\n"), 12, key),
                "expected an http or https URI");
        assertEquals("'http://127.0.0.1' (expected a port, like http://127.0.0.1:8500)",
                onlyError(withDiscovery("  consul:\n    address: http://127.0.0.1\n"), 12, key));
        assertEquals("'http://:8500' (expected a host: http://host:port)",
                onlyError(withDiscovery("  consul:\n    address: http://:8500\n"), 12, key));
        assertEquals("'http://127.0.0.1:0' (port 0 out of range 1..65535)",
                onlyError(withDiscovery("  consul:\n    address: http://127.0.0.1:0\n"), 12, key));
        assertContains(onlyError(withDiscovery("  consul:\n    address: http://u:p@127.0.0.1:8500\n"), 12, key),
                "put the ACL token in token-file");
        assertContains(onlyError(withDiscovery("  consul:\n    address: http://127.0.0.1:8500/v1\n"), 12, key),
                "expected only scheme, host and port");
        assertContains(onlyError(withDiscovery("  consul:\n    address: http://127.0.0.1:8500?dc=x\n"), 12, key),
                "expected only scheme, host and port");
    }

    @Test
    void consulIpv6Address() {
        assertEquals(URI.create("http://[::1]:8500"), Yaml.load(withDiscovery("  consul:\n    address: http://[::1]:8500\n"))
                .discovery().consul().address());
    }

    @Test
    void consulTokenFileRelativeResolvesAgainstTheConfigDirectory() throws Exception {
        Files.createDirectories(dir.resolve("secrets"));
        Path token = Files.writeString(dir.resolve("secrets/consul.token"), "abc\n");
        Path config = Files.writeString(dir.resolve("sluice.yaml"),
                withDiscovery(CONSUL + "    token-file: secrets/consul.token\n"));
        assertEquals(token, ConfigLoader.load(config).discovery().consul().tokenFile());
    }

    @Test
    void consulTokenFileFollowsTheAdminTokenRules() throws Exception {
        String key = "discovery.consul.token-file";
        assertEquals("token file " + CWD.resolve("no/such.token") + " does not exist",
                onlyError(withDiscovery(CONSUL + "    token-file: no/such.token\n"), 13, key));
        Path empty = Files.writeString(dir.resolve("empty.token"), " \n");
        assertEquals("token file " + empty + " is empty (expected the Consul ACL token)",
                onlyError(withDiscovery(CONSUL + "    token-file: " + empty + "\n"), 13, key));
        assertEquals("token file " + dir + " is a directory",
                onlyError(withDiscovery(CONSUL + "    token-file: " + dir + "\n"), 13, key));
        assertContains(onlyError(withDiscovery(CONSUL + "    token-file: ~/consul.token\n"), 13, key),
                "(~ is not expanded; write the full path)");

        Path file = Files.writeString(dir.resolve("sluice.yaml"), withDiscovery(CONSUL + "    token-file: typo.token\n"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(new ConfigError(file.toString(), 13, key,
                "token file " + dir.resolve("typo.token") + " does not exist")), e.errors());
    }

    @Test
    void datacenterCharacters() {
        assertEquals("'dc 1' (expected letters, digits, '_' or '-', like dc1)",
                onlyError(withDiscovery(CONSUL + "    datacenter: dc 1\n"), 13, "discovery.consul.datacenter"));
        assertContains(onlyError(withDiscovery(CONSUL + "    datacenter: dc.1\n"), 13, "discovery.consul.datacenter"),
                "expected letters, digits");
    }

    @Test
    void zookeeperConnectIsRequired() {
        assertEquals("required key is missing",
                onlyError(withDiscovery("  zookeeper: { base-path: /x }\n"), 11, "discovery.zookeeper.connect"));
    }

    @Test
    void zookeeperConnectIsAServerList() {
        String key = "discovery.zookeeper.connect";
        assertEquals("'127.0.0.1' (expected host:port or [ipv6]:port)",
                onlyError(withDiscovery("  zookeeper:\n    connect: 127.0.0.1\n"), 12, key));
        assertContains(onlyError(withDiscovery("  zookeeper:\n    connect: a:2181,,b:2181\n"), 12, key),
                "empty server in the list");
        assertContains(onlyError(withDiscovery("  zookeeper:\n    connect: a:2181,b:99999\n"), 12, key),
                "port 99999 out of range");
        assertContains(onlyError(withDiscovery("  zookeeper:\n    connect: zk_1:2181\n"), 12, key), "invalid hostname");
        assertContains(onlyError(withDiscovery("  zookeeper:\n    connect: 300.0.0.1:2181\n"), 12, key),
                "invalid IPv4 address");
        // Each bad server is its own error.
        List<ConfigError> errors = errors(withDiscovery("  zookeeper:\n    connect: a,b\n"));
        assertEquals(2, errors.size(), () -> Yaml.render(errors));
    }

    @Test
    void zookeeperChrootFollowsThePathRules() {
        String key = "discovery.zookeeper.connect";
        assertEquals("chroot '/apps/' must not end with '/' (leave it out for none, or write one like /sluice)",
                onlyError(withDiscovery("  zookeeper:\n    connect: zk:2181/apps/\n"), 12, key));
        assertContains(onlyError(withDiscovery("  zookeeper:\n    connect: zk:2181/a//b\n"), 12, key),
                "must not have empty segments");
        assertContains(onlyError(withDiscovery("  zookeeper:\n    connect: zk:2181/\n"), 12, key),
                "must not end with '/'");
    }

    @Test
    void basePathRules() {
        String key = "discovery.zookeeper.base-path";
        assertEquals("'sluice' must start with '/' (expected a znode path like /sluice)",
                onlyError(withDiscovery(ZOOKEEPER + "    base-path: sluice\n"), 13, key));
        assertContains(onlyError(withDiscovery(ZOOKEEPER + "    base-path: /sluice/\n"), 13, key), "must not end with '/'");
        assertContains(onlyError(withDiscovery(ZOOKEEPER + "    base-path: /\n"), 13, key), "must not end with '/'");
        assertContains(onlyError(withDiscovery(ZOOKEEPER + "    base-path: /a//b\n"), 13, key),
                "must not have empty segments");
        assertContains(onlyError(withDiscovery(ZOOKEEPER + "    base-path: /a/../b\n"), 13, key),
                "must not have '.' or '..' segments");
    }

    // ---- a pool's discover

    @Test
    void discoverNeedsExactlyOneRegistry() {
        List<ConfigError> both = errors(discovering("      consul: { service: chat }\n      zookeeper: { service: chat }\n",
                CONSUL + ZOOKEEPER));
        assertEquals(1, both.size(), () -> Yaml.render(both));
        assertEquals("discovers from both consul and zookeeper (expected exactly one)",
                assertError(both, 7, "pools.chat.discover"));

        assertEquals("expected consul or zookeeper: the registry to discover backends from",
                onlyError(discovering("", "").replace("discover:\n", "discover: {}\n"), 7, "pools.chat.discover"));
    }

    @Test
    void bothRegistriesStillReportTheirOwnErrors() {
        List<ConfigError> errors = errors(discovering("      consul: { service: -chat }\n      zookeeper: {}\n",
                CONSUL + ZOOKEEPER));
        assertEquals(3, errors.size(), () -> Yaml.render(errors));
        assertError(errors, 7, "pools.chat.discover");
        assertContains(assertError(errors, 8, "pools.chat.discover.consul.service"), "invalid service name '-chat'");
        assertEquals("required key is missing", assertError(errors, 9, "pools.chat.discover.zookeeper.service"));
    }

    @Test
    void consulDiscoveryNeedsDiscoveryConsul() {
        assertEquals("pool discovers from consul but discovery.consul is not configured",
                onlyError(discovering("      consul: { service: chat }\n", ""), 7, "pools.chat.discover"));
        // Only the other registry configured: still an error.
        assertEquals("pool discovers from consul but discovery.consul is not configured",
                onlyError(discovering("      consul: { service: chat }\n", ZOOKEEPER), 7, "pools.chat.discover"));
    }

    @Test
    void zookeeperDiscoveryNeedsDiscoveryZookeeper() {
        assertEquals("pool discovers from zookeeper but discovery.zookeeper is not configured",
                onlyError(discovering("      zookeeper: { service: chat }\n", CONSUL), 7, "pools.chat.discover"));
    }

    @Test
    void aBrokenRegistryIsStillConfiguredSoThePoolIsNotBlamed() {
        assertEquals("required key is missing",
                onlyError(discovering("      consul: { service: chat }\n", "  consul: {}\n"), 10, "discovery.consul.address"));
    }

    @Test
    void serviceIsRequired() {
        assertEquals("required key is missing",
                onlyError(discovering("      consul: { tags: [edge] }\n", CONSUL), 8, "pools.chat.discover.consul.service"));
        assertEquals("required key is missing",
                onlyError(discovering("      zookeeper: {}\n", ZOOKEEPER), 8, "pools.chat.discover.zookeeper.service"));
    }

    @Test
    void serviceNameRule() {
        String expected = "invalid service name '.chat' (expected 1 to 128 letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit)";
        assertEquals(expected, onlyError(discovering("      consul: { service: .chat }\n", CONSUL), 8,
                "pools.chat.discover.consul.service"));
        assertContains(onlyError(discovering("      zookeeper: { service: a/b }\n", ZOOKEEPER), 8,
                "pools.chat.discover.zookeeper.service"), "invalid service name 'a/b'");
        String longest = "s" + "x".repeat(127);
        assertEquals(longest, Yaml.load(discovering("      zookeeper: { service: " + longest + " }\n", ZOOKEEPER))
                .pools().get("chat").discover().zookeeperService());
        assertContains(onlyError(discovering("      zookeeper: { service: " + longest + "x }\n", ZOOKEEPER), 8,
                "pools.chat.discover.zookeeper.service"), "invalid service name");
    }

    @Test
    void tagsAreNonEmptyStrings() {
        assertEquals("a tag must not be empty", onlyError(discovering("      consul:\n        service: chat\n"
                + "        tags:\n          - edge\n          - \"\"\n", CONSUL), 12, "pools.chat.discover.consul.tags[1]"));
        assertEquals("a tag must not be empty", onlyError(discovering("      consul:\n        service: chat\n"
                + "        tags:\n          -\n", CONSUL), 11, "pools.chat.discover.consul.tags[0]"));
        assertEquals("expected a list, found 'edge'", onlyError(discovering(
                "      consul: { service: chat, tags: edge }\n", CONSUL), 8, "pools.chat.discover.consul.tags"));
        assertEquals("expected a single value, found a list", onlyError(discovering(
                "      consul: { service: chat, tags: [[edge]] }\n", CONSUL), 8, "pools.chat.discover.consul.tags[0]"));
    }

    @Test
    void passingOnlyIsABoolean() {
        assertEquals("'maybe' (expected true or false)", onlyError(discovering(
                "      consul: { service: chat, passing-only: maybe }\n", CONSUL), 8,
                "pools.chat.discover.consul.passing-only"));
    }

    @Test
    void zookeeperDiscoverTakesOnlyService() {
        assertEquals("unknown key 'tags' (expected service)", onlyError(discovering(
                "      zookeeper: { service: chat, tags: [a] }\n", ZOOKEEPER), 8, "pools.chat.discover.zookeeper.tags"));
    }

    @Test
    void discoverMustBeAMapping() {
        assertEquals("expected a mapping, found 'consul'",
                onlyError(discovering("", "").replace("discover:\n", "discover: consul\n"), 7, "pools.chat.discover"));
    }

    @Test
    void unknownDiscoverKey() {
        assertEquals("unknown key 'consol' (did you mean 'consul'?)",
                assertError(errors(discovering("      consol: { service: chat }\n", CONSUL)), 8, "pools.chat.discover.consol"));
    }
}
