package io.sluice.config;

import static io.sluice.config.Yaml.MINIMAL;
import static io.sluice.config.Yaml.assertContains;
import static io.sluice.config.Yaml.assertError;
import static io.sluice.config.Yaml.errors;
import static io.sluice.config.Yaml.onlyError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.yaml.ConfigError;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per validation rule; each checks file, line and key of the error it expects. */
class ValidationErrorsTest {

    /** MINIMAL with its pool's lines 6.. replaced, so pool keys land on known lines (7 onwards). */
    private static String pool(String body) {
        return """
                listeners:
                  - name: chat
                    bind: 127.0.0.1:7000
                    pool: chat
                pools:
                  chat:
                """ + body.indent(4);
    }

    private static final String BACKEND = "backends:\n  - { name: app-1, address: 127.0.0.1:9001 }\n";

    @Test
    void allErrorsAreReportedAtOnceInLineOrder() {
        List<ConfigError> errors = errors("""
                listeners:
                  - name: chat
                    bind: 127.0.0.1:99999
                    pool: chta
                  - name: web
                    bind: 127.0.0.1:7001
                    pool: web
                pools:
                  web:
                    balanse: maglev
                    backends:
                      - { name: app-1, address: 127.0.0.1:9001, weight: -5 }
                      - { name: app-1, address: 127.0.0.1:9002 }
                timeouts:
                  idle: 10 min
                """);
        assertEquals(List.of(3, 4, 10, 12, 13, 15), errors.stream().map(ConfigError::line).toList(), Yaml.render(errors));
        assertError(errors, 3, "listeners[0].bind");
        assertEquals("unknown pool 'chta' (pools: web)", assertError(errors, 4, "listeners[0].pool"));
        assertEquals("unknown key 'balanse' (did you mean 'balance'?)", assertError(errors, 10, "pools.web.balanse"));
        assertEquals("-5 (expected 0..1000)", assertError(errors, 12, "pools.web.backends[0].weight"));
        assertContains(assertError(errors, 13, "pools.web.backends[1].name"), "duplicate backend name 'app-1'");
        assertEquals("'10 min' is not a duration (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                assertError(errors, 15, "timeouts.idle"));
        assertEquals("test.yaml:12: pools.web.backends[0].weight: -5 (expected 0..1000)",
                errors.get(3).toString());
    }

    @Test
    void unknownPool() {
        String yaml = """
                listeners:
                  - { name: chat, bind: 127.0.0.1:7000, pool: chta }
                pools:
                  chat: { backends: [ { name: a, address: 127.0.0.1:1 } ] }
                  web: { backends: [ { name: a, address: 127.0.0.1:1 } ] }
                """;
        assertEquals("unknown pool 'chta' (pools: chat, web)", onlyError(yaml, 2, "listeners[0].pool"));
    }

    @Test
    void duplicateListenerName() {
        String yaml = MINIMAL.replace("pools:", """
                  - name: chat
                    bind: 127.0.0.1:7001
                    pool: chat
                pools:""");
        assertEquals("duplicate listener name 'chat' (first at line 2)", onlyError(yaml, 5, "listeners[1].name"));
    }

    @Test
    void duplicateBindAddress() {
        String yaml = MINIMAL.replace("pools:", """
                  - name: other
                    bind: 127.0.0.1:7000
                    pool: chat
                pools:""");
        assertEquals("address already used by listener 'chat' (line 3)", onlyError(yaml, 6, "listeners[1].bind"));
    }

    @Test
    void duplicateBackendName() {
        String yaml = MINIMAL + "      - name: app-1\n        address: 127.0.0.1:9002\n";
        assertEquals("duplicate backend name 'app-1' (first at line 8)",
                onlyError(yaml, 10, "pools.chat.backends[1].name"));
    }

    @Test
    void duplicateKeyInMapping() {
        String yaml = MINIMAL.replace("    pool: chat\n", "    pool: chat\n    bind: 127.0.0.1:7001\n");
        assertEquals("duplicate key 'bind' (first at line 3)", onlyError(yaml, 5, "listeners[0].bind"));
    }

    @Test
    void duplicateTopLevelKey() {
        assertContains(onlyError(MINIMAL + "limits: {}\nlimits: {}\n", 11, "limits"), "duplicate key 'limits'");
    }

    @Test
    void unknownKeyWithoutNearMatchListsTheKnownOnes() {
        assertEquals("unknown key 'colour' (expected name, bind, mode, pool, routes, default-pool, no-sni, not-tls,"
                        + " client-hello-timeout, max-client-hello, server-first-timeout or accept-proxy-protocol)",
                onlyError(MINIMAL.replace("    pool: chat\n", "    pool: chat\n    colour: red\n"), 5,
                        "listeners[0].colour"));
    }

    @Test
    void unknownTopLevelKey() {
        assertEquals("unknown key 'limit' (did you mean 'limits'?)", onlyError(MINIMAL + "limit: {}\n", 10, "limit"));
    }

    @Test
    void mergeKeysShareSettingsAndErrorsPointAtTheAnchor() {
        String yaml = """
                listeners:
                  - { name: chat, bind: 127.0.0.1:7000, pool: a }
                pools:
                  a: &shared
                    retries: 3
                    connect-timeout: 1s
                    backends: [ { name: app-1, address: 127.0.0.1:9001 } ]
                  b:
                    <<: *shared
                    retries: 4
                """;
        SluiceConfig config = Yaml.load(yaml);
        assertEquals(4, config.pools().get("b").retries());
        assertEquals(Duration.ofSeconds(1), config.pools().get("b").connectTimeout());
        assertEquals(1, config.pools().get("b").backends().size());

        List<ConfigError> errors = errors(yaml.replace("1s", "1sec"));
        assertEquals(2, errors.size(), Yaml.render(errors));
        assertError(errors, 6, "pools.a.connect-timeout");
        assertError(errors, 6, "pools.b.connect-timeout");
    }

    @Test
    void missingListenersAndPools() {
        List<ConfigError> errors = errors("timeouts: {}\n");
        assertEquals(2, errors.size());
        assertEquals("required key is missing", assertError(errors, 1, "listeners"));
        assertEquals("required key is missing", assertError(errors, 1, "pools"));
    }

    @Test
    void emptyListenersAndPools() {
        List<ConfigError> errors = errors("listeners: []\npools: {}\n");
        assertEquals("at least one listener is required", assertError(errors, 1, "listeners"));
        assertEquals("at least one pool is required", assertError(errors, 2, "pools"));
    }

    @Test
    void nullListeners() {
        List<ConfigError> errors = errors("listeners:\npools:\n");
        assertEquals("a value is required", assertError(errors, 1, "listeners"));
        assertEquals("a value is required", assertError(errors, 2, "pools"));
    }

    @Test
    void listenerMissingKeys() {
        List<ConfigError> errors = errors(MINIMAL.replace("""
                  - name: chat
                    bind: 127.0.0.1:7000
                    pool: chat
                """, "  - mode: tcp\n"));
        assertEquals(3, errors.size(), Yaml.render(errors));
        assertError(errors, 2, "listeners[0].name");
        assertError(errors, 2, "listeners[0].bind");
        assertError(errors, 2, "listeners[0].pool");
    }

    @Test
    void invalidNames() {
        List<ConfigError> errors = errors("""
                listeners:
                  - { name: "bad name", bind: 127.0.0.1:7000, pool: chat }
                pools:
                  -chat: { backends: [ { name: "", address: 127.0.0.1:1 } ] }
                  chat: { backends: [ { name: "a/b", address: 127.0.0.1:1 } ] }
                """);
        assertEquals(4, errors.size(), Yaml.render(errors));
        assertContains(assertError(errors, 2, "listeners[0].name"), "invalid name 'bad name'");
        assertContains(assertError(errors, 4, "pools.-chat"), "invalid name '-chat'");
        assertError(errors, 4, "pools.-chat.backends[0].name");
        assertError(errors, 5, "pools.chat.backends[0].name");
    }

    @Test
    void nameTooLong() {
        String name = "a".repeat(65);
        assertContains(onlyError(MINIMAL.replace("name: app-1", "name: " + name), 8, "pools.chat.backends[0].name"),
                "invalid name");
        Yaml.load(MINIMAL.replace("name: app-1", "name: " + "a".repeat(64)));
    }

    @Test
    void unknownMode() {
        String yaml = MINIMAL.replace("    pool: chat\n", "    pool: chat\n    mode: udp\n");
        assertEquals("'udp' (expected tcp or tls)", onlyError(yaml, 5, "listeners[0].mode"));
    }

    @Test
    void unknownBalance() {
        assertEquals("'round_robin' (expected round-robin, least-conn, maglev or random-two)"
                        + " (did you mean 'round-robin'?)",
                onlyError(pool("balance: round_robin\n" + BACKEND), 7, "pools.chat.balance"));
    }

    @Test
    void maglevWithoutStickyKey() {
        assertEquals("maglev hashes the sticky key: use source-ip or source-prefix",
                onlyError(pool("balance: maglev\nsticky:\n  key: none\n" + BACKEND), 9, "pools.chat.sticky.key"));
    }

    @Test
    void unknownStickyKey() {
        assertContains(onlyError(pool("sticky: { key: source }\n" + BACKEND), 7, "pools.chat.sticky.key"),
                "(expected source-ip, source-prefix or none)");
    }

    @Test
    void stickyRanges() {
        List<ConfigError> errors = errors(pool("""
                sticky:
                  key: source-prefix
                  prefix-v4: 33
                  prefix-v6: -1
                  table-ttl: 0s
                  table-size: 0
                """ + BACKEND));
        assertEquals(4, errors.size(), Yaml.render(errors));
        assertEquals("33 (expected 0..32)", assertError(errors, 9, "pools.chat.sticky.prefix-v4"));
        assertEquals("-1 (expected 0..128)", assertError(errors, 10, "pools.chat.sticky.prefix-v6"));
        assertEquals("0s (expected more than 0 and at most 8760h)", assertError(errors, 11, "pools.chat.sticky.table-ttl"));
        assertEquals("0 (expected 1..10000000)", assertError(errors, 12, "pools.chat.sticky.table-size"));
    }

    @Test
    void stickyMustBeAMapping() {
        assertEquals("expected a mapping, found 'source-ip'",
                onlyError(pool("sticky: source-ip\n" + BACKEND), 7, "pools.chat.sticky"));
    }

    @Test
    void maglevTableSizeMustBePrime() {
        assertEquals("65536 (expected a prime 251..1000003; the nearest prime above is 65537)",
                onlyError(pool("maglev-table-size: 65536\n" + BACKEND), 7, "pools.chat.maglev-table-size"));
    }

    @Test
    void maglevTableSizeRange() {
        assertEquals("7 (expected a prime 251..1000003; the nearest prime above is 251)",
                onlyError(pool("maglev-table-size: 7\n" + BACKEND), 7, "pools.chat.maglev-table-size"));
        assertEquals("1000033 (expected a prime 251..1000003)",
                onlyError(pool("maglev-table-size: 1000033\n" + BACKEND), 7, "pools.chat.maglev-table-size"));
        assertEquals("'big' (expected a prime 251..1000003)",
                onlyError(pool("maglev-table-size: big\n" + BACKEND), 7, "pools.chat.maglev-table-size"));
    }

    @Test
    void connectTimeoutRange() {
        assertEquals("0 (expected more than 0 and at most 5m)",
                onlyError(pool("connect-timeout: 0\n" + BACKEND), 7, "pools.chat.connect-timeout"));
        assertEquals("301s (expected more than 0 and at most 5m)",
                onlyError(pool("connect-timeout: 301s\n" + BACKEND), 7, "pools.chat.connect-timeout"));
        Yaml.load(pool("connect-timeout: 5m\n" + BACKEND));
    }

    @Test
    void retriesRange() {
        assertEquals("11 (expected 0..10)", onlyError(pool("retries: 11\n" + BACKEND), 7, "pools.chat.retries"));
        assertEquals("'two' (expected an integer 0..10)",
                onlyError(pool("retries: two\n" + BACKEND), 7, "pools.chat.retries"));
        assertEquals("'2.5' (expected an integer 0..10)",
                onlyError(pool("retries: 2.5\n" + BACKEND), 7, "pools.chat.retries"));
    }

    @Test
    void hugeNumberIsOutOfRangeNotACrash() {
        assertEquals("99999999999999999999999 (expected 0..1000)", onlyError(
                MINIMAL + "        weight: 99999999999999999999999\n", 10, "pools.chat.backends[0].weight"));
    }

    @Test
    void missingBackends() {
        assertEquals("required key is missing", onlyError(pool("retries: 1\n"), 7, "pools.chat.backends"));
        assertEquals("at least one backend is required", onlyError(pool("backends: []\n"), 7, "pools.chat.backends"));
    }

    @Test
    void emptyPool() {
        assertEquals("required key is missing", onlyError(pool(""), 6, "pools.chat.backends"));
    }

    @Test
    void backendMissingKeys() {
        List<ConfigError> errors = errors(pool("backends:\n  - weight: 5\n"));
        assertEquals(2, errors.size());
        assertError(errors, 8, "pools.chat.backends[0].name");
        assertError(errors, 8, "pools.chat.backends[0].address");
    }

    @Test
    void backendWeightRange() {
        assertEquals("1001 (expected 0..1000)",
                onlyError(MINIMAL + "        weight: 1001\n", 10, "pools.chat.backends[0].weight"));
    }

    @Test
    void unresolvableBackendHost() {
        assertEquals("cannot resolve host 'no-such-host.invalid'",
                onlyError(MINIMAL.replace("127.0.0.1:9001", "no-such-host.invalid:9001"), 9,
                        "pools.chat.backends[0].address"));
    }

    @Test
    void badBackendAddresses() {
        String key = "pools.chat.backends[0].address";
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:9001", "127.0.0.1"), 9, key), "expected host:port");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:9001", ":9001"), 9, key), "needs a host");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:9001", "127.0.0.1:0"), 9, key), "out of range 1..65535");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:9001", "127.1:9001"), 9, key), "invalid IPv4 address");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:9001", "256.0.0.1:9001"), 9, key), "invalid IPv4");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:9001", "bad_host:9001"), 9, key), "invalid hostname");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:9001", "'[zz::1]:9001'"), 9, key), "invalid IPv6");
    }

    @Test
    void badBindAddresses() {
        String key = "listeners[0].bind";
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:7000", "example.com:7000"), 3, key),
                "not a hostname");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:7000", "127.0.0.1:70000"), 3, key), "port 70000");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:7000", "7000"), 3, key), "expected ip:port");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:7000", "'::1:7000'"), 3, key), "brackets");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:7000", "'[::1]'"), 3, key), "expected ip:port");
        assertContains(onlyError(MINIMAL.replace("127.0.0.1:7000", ":http"), 3, key), "port must be a number");
    }

    @Test
    void unquotedIpv6BindGetsAHint() {
        String message = onlyError(MINIMAL.replace("127.0.0.1:7000", "[::1]:7000"), 3, "");
        assertContains(message, "YAML syntax error");
        assertContains(message, "quote IPv6 addresses");
    }

    @Test
    void wrongNodeTypes() {
        List<ConfigError> errors = errors("""
                listeners:
                  name: chat
                pools:
                  - chat
                timeouts: 5s
                limits:
                  max-connections: [1, 2]
                """);
        assertEquals(4, errors.size(), Yaml.render(errors));
        assertEquals("expected a list, found a mapping", assertError(errors, 2, "listeners"));
        assertEquals("expected a mapping, found a list", assertError(errors, 4, "pools"));
        assertEquals("expected a mapping, found '5s'", assertError(errors, 5, "timeouts"));
        assertEquals("expected a single value, found a list", assertError(errors, 7, "limits.max-connections"));
    }

    @Test
    void listenerEntryMustBeAMapping() {
        assertEquals("expected a mapping, found 'chat'",
                onlyError(MINIMAL.replace("pools:", "  - chat\npools:"), 5, "listeners[1]"));
    }

    @Test
    void nonStringKey() {
        assertContains(onlyError(MINIMAL + "? [a, b]\n: c\n", 10, ""), "keys must be plain words");
    }

    @Test
    void limitsRanges() {
        List<ConfigError> errors = errors(MINIMAL + """
                limits:
                  max-connections: 0
                  max-connections-per-source: 10000001
                """);
        assertEquals(2, errors.size());
        assertEquals("0 (expected 1..10000000)", assertError(errors, 11, "limits.max-connections"));
        assertEquals("10000001 (expected 0..10000000)", assertError(errors, 12, "limits.max-connections-per-source"));
    }

    @Test
    void timeoutsRange() {
        List<ConfigError> errors = errors(MINIMAL + "timeouts:\n  idle: 8761h\n  shutdown-grace: -1s\n");
        assertEquals(2, errors.size());
        assertEquals("8761h (expected 0 to 8760h)", assertError(errors, 11, "timeouts.idle"));
        assertEquals("'-1s' is not a duration (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                assertError(errors, 12, "timeouts.shutdown-grace"));
    }

    @Test
    void emptyDocument() {
        for (String yaml : List.of("", "# only a comment\n", "---\n", "~\n", "null\n")) {
            List<ConfigError> errors = errors(yaml);
            assertEquals(List.of(new ConfigError(Yaml.FILE, 0, "",
                    "the configuration is empty (expected listeners and pools)")), errors, yaml);
        }
    }

    @Test
    void topLevelMustBeAMapping() {
        assertEquals("expected a mapping, found a list", onlyError("- a\n- b\n", 1, ""));
        assertEquals("expected a mapping, found 'hello'", onlyError("hello\n", 1, ""));
    }

    @Test
    void syntaxErrorReportsItsLine() {
        String message = onlyError(MINIMAL + "timeouts: {idle: 1s\n", 11, "");
        assertContains(message, "YAML syntax error");
    }

    @Test
    void syntaxErrorInTheMiddle() {
        String yaml = MINIMAL.replace("    pool: chat\n", "    pool: chat\n   bad: indent\n");
        ConfigError error = errors(yaml).get(0);
        assertEquals(5, error.line());
        assertEquals("", error.key());
    }

    @Test
    void recursiveAliasIsAnError() {
        assertContains(onlyError(MINIMAL + "x: &a\n  y: {<<: *a}\n", 11, ""), "recursive YAML is not allowed");
    }

    @Test
    void deepNestingIsAnError() {
        assertContains(onlyError("a: " + "[".repeat(40) + "]".repeat(40) + "\n", 1, ""), "nested deeper than 32");
    }

    @Test
    void twoDocumentsAreAnError() {
        assertContains(onlyError(MINIMAL + "---\n" + MINIMAL, 10, ""), "single document");
    }

    @Test
    void tabIndentationIsASyntaxError() {
        assertContains(onlyError(MINIMAL.replace("    pool: chat", "\tpool: chat"), 4, ""), "YAML syntax error");
    }
}
