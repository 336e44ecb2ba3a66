package io.sluice.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.yaml.ConfigError;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One test per agent.yaml rule, as the daemon's ValidationErrorsTest: the exact message, its line and its
 * key. The file is read with the daemon's YAML kit, so the errors have the daemon's shape and wording.
 */
class AgentValidationErrorsTest {

    private static List<ConfigError> errors(String yaml) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> AgentConfigLoader.parse("agent.yaml", yaml, () -> "app3", () -> "10.0.0.99"));
        return e.errors();
    }

    /** The one error of {@code yaml}, checked to be at {@code line} and {@code key}; returns its message. */
    private static String onlyError(String yaml, int line, String key) {
        List<ConfigError> errors = errors(yaml);
        assertEquals(1, errors.size(), render(errors));
        ConfigError e = errors.get(0);
        assertEquals("agent.yaml", e.file());
        assertEquals(line, e.line(), render(errors));
        assertEquals(key, e.key(), render(errors));
        return e.message();
    }

    private static String render(List<ConfigError> errors) {
        return errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
    }

    @Test
    void allErrorsAreReportedAtOnceInLineOrder() {
        List<ConfigError> errors = errors("""
                registry: consull
                services:
                  - name: chat
                    prot: 8443
                    weight: 5000
                    check: { interval: 30 }
                  - name: web
                    port: 99999
                """);
        assertEquals("""
                agent.yaml:1: registry: 'consull' (expected consul or zookeeper) (did you mean 'consul'?)
                agent.yaml:3: services[0].port: required key is missing
                agent.yaml:4: services[0].prot: unknown key 'prot' (expected name, id, address, port, tags, weight, check, drain-on-shutdown or direct-vips)
                agent.yaml:5: services[0].weight: 5000 (expected 0..1000)
                agent.yaml:6: services[0].check.interval: '30' is not a duration: add a unit, e.g. 30s (expected an integer and a unit: 500ms, 30s, 10m or 1h)
                agent.yaml:8: services[1].port: 99999 (expected 1..65535)""", render(errors));
    }

    @Test
    void numericOverflowIsAnErrorNotAnException() {
        assertEquals("99999999999999999999 (expected 1..65535)",
                onlyError("services: [ { name: chat, port: 99999999999999999999 } ]", 1, "services[0].port"));
        assertEquals("99999999999999999999 (expected 0..1000)",
                onlyError("services:\n  - { name: chat, port: 1, weight: 99999999999999999999 }\n", 2, "services[0].weight"));
        assertEquals("'99999999999999999999s' is not a duration: at most 12 digits"
                        + " (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                onlyError("services:\n  - name: chat\n    port: 1\n    drain-on-shutdown: 99999999999999999999s\n",
                        4, "services[0].drain-on-shutdown"));
        assertEquals("'1.0.0.1:99999999999999999999' (expected host:port, port 1..65535)",
                onlyError("services: [ { name: a, port: 1, check: { target: '1.0.0.1:99999999999999999999' } } ]",
                        1, "services[0].check.target"));
    }

    @Test
    void aBareNumberIsNotADuration() {
        assertEquals("'30' is not a duration: add a unit, e.g. 30s (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                onlyError("services:\n  - { name: a, port: 1, drain-on-shutdown: 30 }\n", 2, "services[0].drain-on-shutdown"));
    }

    @Test
    void probeDurationsHaveAFloor() {
        assertEquals("50ms (expected at least 100ms and at most 8760h)",
                onlyError("services:\n  - name: a\n    port: 1\n    check:\n      interval: 50ms\n", 5,
                        "services[0].check.interval"));
    }

    @Test
    void timeoutLongerThanInterval() {
        assertEquals("timeout 2s is longer than interval 1s (expected at most the interval)",
                onlyError("services:\n  - name: a\n    port: 1\n    check: { interval: 1s, timeout: 2s }\n", 4,
                        "services[0].check.timeout"));
    }

    @Test
    void unknownKeyWithoutACloseMatchListsTheKeys() {
        assertEquals("unknown key 'etcd' (expected registry, consul, zookeeper or services)",
                onlyError("etcd: {}\nservices: [ { name: a, port: 1 } ]\n", 1, "etcd"));
    }

    @Test
    void checkTypeIsTcpOrHttp() {
        assertEquals("'https' (expected tcp or http) (did you mean 'http'?)",
                onlyError("services: [ { name: a, port: 1, check: { type: https } } ]", 1, "services[0].check.type"));
    }

    @Test
    void zooKeeperNeedsAnIpLiteral() {
        assertEquals("'app.example' (ZooKeeper instances need an IP literal: the daemon does not resolve names)",
                onlyError("registry: zookeeper\nservices:\n  - { name: a, port: 1, address: app.example }\n", 3,
                        "services[0].address"));
    }

    @Test
    void duplicateIds() {
        assertEquals("duplicate id 'x' (first at line 2; ids must be unique)",
                onlyError("services:\n  - { name: a, id: x, port: 1 }\n  - { name: b, id: x, port: 2 }\n", 3,
                        "services[1].id"));
    }

    @Test
    void duplicateKeys() {
        assertEquals("duplicate key 'port' (first at line 3)",
                onlyError("services:\n  - name: a\n    port: 1\n    port: 2\n", 4, "services[0].port"));
    }

    @Test
    void badNamesAndPaths() {
        assertEquals("'-chat' (expected letters, digits, '-', '_', '.', starting with a letter or digit)",
                onlyError("services: [ { name: '-chat', port: 1 } ]", 1, "services[0].name"));
        assertEquals("'healthz' (expected an absolute path, e.g. /healthz)",
                onlyError("services: [ { name: a, port: 1, check: { path: healthz } } ]", 1, "services[0].check.path"));
        assertEquals("'sluice' (expected /path, e.g. /sluice)",
                onlyError("zookeeper: { base-path: sluice }\nservices: [ { name: a, port: 1 } ]", 1, "zookeeper.base-path"));
        assertEquals("'consul:8500' (expected http://host:port)",
                onlyError("consul: { address: 'consul:8500' }\nservices: [ { name: a, port: 1 } ]", 1, "consul.address"));
    }

    @Test
    void servicesMustBeANonEmptyList() {
        assertEquals("at least one service is required", onlyError("services: []", 1, "services"));
        assertEquals("expected a list, found a mapping", onlyError("services: { name: a }", 1, "services"));
        assertEquals("required key is missing", onlyError("registry: consul", 1, "services"));
    }

    @Test
    void syntaxErrorsAndEmptyFiles() {
        assertEquals("the configuration is empty (expected at least services:)", onlyError("", 0, ""));
        assertEquals("the configuration is empty (expected at least services:)", onlyError("# nothing\n", 0, ""));
        String syntax = onlyError("services: [ {name: a", 1, "");
        assertEquals("YAML syntax error: ", syntax.substring(0, "YAML syntax error: ".length()), syntax);
    }
}
