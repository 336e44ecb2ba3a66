package io.sluice.config;

import static io.sluice.config.Yaml.assertContains;
import static io.sluice.config.Yaml.assertError;
import static io.sluice.config.Yaml.errors;
import static io.sluice.config.Yaml.onlyError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.yaml.ConfigError;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pool's health, passive, slow-start and drain settings: defaults, every key, one test per rule. */
class PoolHealthTest {

    /** A config whose pool {@code chat} has {@code body} as its keys, starting at line 7, then a backend. */
    private static String pool(String body) {
        return """
                listeners:
                  - name: chat
                    bind: 127.0.0.1:7000
                    pool: chat
                pools:
                  chat:
                """ + body.indent(4) + "    backends: [ { name: app-1, address: 127.0.0.1:9001 } ]\n";
    }

    private static PoolConfig load(String body) {
        return Yaml.load(pool(body)).pools().get("chat");
    }

    // ---- defaults and every key

    @Test
    void defaultsAreTheRecordsDefaults() {
        PoolConfig p = Yaml.load(Yaml.MINIMAL).pools().get("chat");
        assertEquals(HealthConfig.DEFAULTS, p.health());
        assertEquals(PassiveConfig.DEFAULTS, p.passive());
        assertEquals(Duration.ZERO, p.slowStart());
        assertEquals(DrainConfig.DEFAULTS, p.drain());
        assertEquals(new HealthConfig(HealthCheckType.TCP, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3,
                new HttpCheckConfig("/healthz", 200, 399, null), false), p.health());
        assertEquals(new PassiveConfig(5, Duration.ofSeconds(30)), p.passive());
        assertNull(p.drain().deadline());
        assertEquals(100.0, p.drain().closeRate());
    }

    @Test
    void emptySectionsMeanDefaults() {
        PoolConfig p = load("health:\npassive:\nslow-start:\ndrain:\n");
        assertEquals(HealthConfig.DEFAULTS, p.health());
        assertEquals(PassiveConfig.DEFAULTS, p.passive());
        assertEquals(Duration.ZERO, p.slowStart());
        assertEquals(DrainConfig.DEFAULTS, p.drain());
        assertEquals(HealthConfig.DEFAULTS, load("health: {}\n").health());
        assertEquals(HttpCheckConfig.DEFAULTS, load("health: { type: http, http: {} }\n").health().http());
        assertEquals(HttpCheckConfig.DEFAULTS, load("health: { type: http, http: }\n").health().http());
    }

    @Test
    void everyKeySet() {
        PoolConfig p = load("""
                health:
                  type: http
                  interval: 5s
                  timeout: 5s
                  rise: 1
                  fall: 100
                  http: { path: /status?full=1, expect-status: 204, host: App.Internal }
                passive:
                  consecutive-failures: 0
                  ejection: 1h
                slow-start: 1h
                drain:
                  deadline: 168h
                  close-rate: 100000/s
                """);
        assertEquals(new HealthConfig(HealthCheckType.HTTP, Duration.ofSeconds(5), Duration.ofSeconds(5), 1, 100,
                new HttpCheckConfig("/status?full=1", 204, 204, "App.Internal"), false), p.health());
        assertEquals(new PassiveConfig(0, Duration.ofHours(1)), p.passive());
        assertEquals(Duration.ofHours(1), p.slowStart());
        assertEquals(new DrainConfig(Duration.ofHours(168), 100_000), p.drain());
    }

    @Test
    void everyCheckType() {
        assertEquals(HealthCheckType.TCP, load("health: { type: tcp }\n").health().type());
        assertEquals(HealthCheckType.HTTP, load("health: { type: http }\n").health().type());
        assertEquals(HealthCheckType.NONE, load("health: { type: none }\n").health().type());
        HealthConfig tls = load("health: { type: tls-hello, verify-certificate: true }\n").health();
        assertEquals(HealthCheckType.TLS_HELLO, tls.type());
        assertEquals(true, tls.verifyCertificate());
        assertEquals(false, load("health: { type: tls-hello, verify-certificate: FALSE }\n").health()
                .verifyCertificate());
    }

    @Test
    void httpCheckKeepsItsDefaultsForKeysLeftOut() {
        HttpCheckConfig http = load("health: { type: http, http: { host: app.internal } }\n").health().http();
        assertEquals(new HttpCheckConfig("/healthz", 200, 399, "app.internal"), http);
        assertEquals(new HttpCheckConfig("/", 200, 299, null),
                load("health: { type: http, http: { path: /, expect-status: 200 - 299 } }\n").health().http());
    }

    @Test
    void shortIntervalAloneCutsTheDefaultTimeout() {
        HealthConfig h = load("health: { interval: 500ms }\n").health();
        assertEquals(Duration.ofMillis(500), h.interval());
        assertEquals(Duration.ofMillis(500), h.timeout());
        assertEquals(Duration.ofSeconds(1), load("health: { interval: 1h }\n").health().timeout());
    }

    @Test
    void closeRateAcceptsBothForms() {
        assertEquals(250.0, load("drain: { close-rate: 250 }\n").drain().closeRate());
        assertEquals(250.0, load("drain: { close-rate: 250/s }\n").drain().closeRate());
        assertEquals(1.0, load("drain: { close-rate: 1 }\n").drain().closeRate());
        assertNull(load("drain: { close-rate: 5 }\n").drain().deadline());
    }

    @Test
    void settingsCanBeSharedWithMergeKeys() {
        String yaml = """
                listeners:
                  - { name: chat, bind: 127.0.0.1:7000, pool: a }
                pools:
                  a:
                    health: &checks { type: http, interval: 10s, http: { path: /ping } }
                    backends: [ { name: app-1, address: 127.0.0.1:9001 } ]
                  b:
                    health: { <<: *checks, rise: 5 }
                    backends: [ { name: app-1, address: 127.0.0.1:9001 } ]
                """;
        HealthConfig b = Yaml.load(yaml).pools().get("b").health();
        assertEquals(HealthCheckType.HTTP, b.type());
        assertEquals(Duration.ofSeconds(10), b.interval());
        assertEquals("/ping", b.http().path());
        assertEquals(5, b.rise());
    }

    // ---- health

    @Test
    void healthMustBeAMapping() {
        assertEquals("expected a mapping, found 'tcp'", onlyError(pool("health: tcp\n"), 7, "pools.chat.health"));
    }

    @Test
    void unknownHealthKey() {
        assertEquals("unknown key 'intervall' (did you mean 'interval'?)",
                onlyError(pool("health:\n  intervall: 2s\n"), 8, "pools.chat.health.intervall"));
    }

    @Test
    void unknownCheckType() {
        assertEquals("'udp' (expected tcp, http, tls-hello or none)",
                onlyError(pool("health:\n  type: udp\n"), 8, "pools.chat.health.type"));
        assertEquals("'tls_hello' (expected tcp, http, tls-hello or none) (did you mean 'tls-hello'?)",
                onlyError(pool("health:\n  type: tls_hello\n"), 8, "pools.chat.health.type"));
    }

    @Test
    void intervalRange() {
        assertEquals("0 (expected more than 0 and at most 1h)",
                onlyError(pool("health:\n  interval: 0\n"), 8, "pools.chat.health.interval"));
        assertEquals("61m (expected more than 0 and at most 1h)",
                onlyError(pool("health:\n  interval: 61m\n"), 8, "pools.chat.health.interval"));
        assertEquals("'2' is not a duration: add a unit, e.g. 2s (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                onlyError(pool("health:\n  interval: 2\n"), 8, "pools.chat.health.interval"));
    }

    @Test
    void timeoutRange() {
        assertEquals("0s (expected more than 0 and at most 1h)",
                onlyError(pool("health:\n  timeout: 0s\n"), 8, "pools.chat.health.timeout"));
    }

    @Test
    void timeoutLongerThanInterval() {
        assertEquals("timeout 3s is longer than interval 2500ms (a check must end before the next one starts)",
                onlyError(pool("health:\n  interval: 2500ms\n  timeout: 3000ms\n"), 9, "pools.chat.health.timeout"));
        assertEquals("timeout 5s is longer than interval 2s (the default) (a check must end before the next one starts)",
                onlyError(pool("health:\n  timeout: 5s\n"), 8, "pools.chat.health.timeout"));
        // Only the broken interval is reported, not the timeout compared with it.
        onlyError(pool("health:\n  interval: 0\n  timeout: 5s\n"), 8, "pools.chat.health.interval");
    }

    @Test
    void riseAndFallRange() {
        List<ConfigError> errors = errors(pool("health:\n  rise: 0\n  fall: 101\n"));
        assertEquals(2, errors.size(), Yaml.render(errors));
        assertEquals("0 (expected 1..100)", assertError(errors, 8, "pools.chat.health.rise"));
        assertEquals("101 (expected 1..100)", assertError(errors, 9, "pools.chat.health.fall"));
    }

    @Test
    void verifyCertificateIsABoolean() {
        assertEquals("'yes' (expected true or false)",
                onlyError(pool("health:\n  type: tls-hello\n  verify-certificate: yes\n"), 9,
                        "pools.chat.health.verify-certificate"));
    }

    @Test
    void verifyCertificateNeedsTlsHello() {
        assertEquals("verify-certificate needs type: tls-hello",
                onlyError(pool("health:\n  verify-certificate: true\n"), 8, "pools.chat.health.verify-certificate"));
        assertEquals("verify-certificate needs type: tls-hello",
                onlyError(pool("health:\n  type: http\n  verify-certificate: false\n"), 9,
                        "pools.chat.health.verify-certificate"));
    }

    @Test
    void httpSettingsNeedTypeHttp() {
        assertEquals("http settings need type: http",
                onlyError(pool("health:\n  http:\n    path: /ping\n"), 8, "pools.chat.health.http"));
        assertEquals("http settings need type: http",
                onlyError(pool("health:\n  type: tls-hello\n  http: { path: /ping }\n"), 9, "pools.chat.health.http"));
    }

    @Test
    void wrongTypeIsReportedAloneNotWithTheSettingsItWouldAllow() {
        onlyError(pool("health:\n  type: htp\n  http: { path: /ping }\n  verify-certificate: true\n"), 8,
                "pools.chat.health.type");
    }

    @Test
    void httpMustBeAMapping() {
        assertEquals("expected a mapping, found '/healthz'",
                onlyError(pool("health:\n  type: http\n  http: /healthz\n"), 9, "pools.chat.health.http"));
    }

    @Test
    void unknownHttpKey() {
        assertEquals("unknown key 'expect_status' (did you mean 'expect-status'?)",
                onlyError(pool("health:\n  type: http\n  http:\n    expect_status: 200\n"), 10,
                        "pools.chat.health.http.expect_status"));
        assertEquals("unknown key 'paht' (expected path, expect-status or host)",
                onlyError(pool("health:\n  type: http\n  http:\n    paht: /\n"), 10, "pools.chat.health.http.paht"));
    }

    @Test
    void httpPathStartsWithASlash() {
        assertEquals("'healthz' (expected a path starting with '/', like /healthz)",
                onlyError(pool("health:\n  type: http\n  http:\n    path: healthz\n"), 10,
                        "pools.chat.health.http.path"));
    }

    @Test
    void httpPathHasNoSpaces() {
        assertContains(onlyError(pool("health:\n  type: http\n  http:\n    path: /a b\n"), 10,
                "pools.chat.health.http.path"), "printable ASCII characters without spaces");
        assertContains(onlyError(pool("health:\n  type: http\n  http:\n    path: \"/caf\u00e9\"\n"), 10,
                "pools.chat.health.http.path"), "percent-encode");
    }

    @Test
    void expectStatusForms() {
        for (String bad : List.of("2xx", "200-", "200,204", "-200", "200-399-500")) {
            assertEquals("'" + bad + "' (expected a status like 200 or a range like 200-399, within 100..599)",
                    onlyError(pool("health:\n  type: http\n  http:\n    expect-status: \"" + bad + "\"\n"), 10,
                            "pools.chat.health.http.expect-status"), bad);
        }
    }

    @Test
    void expectStatusRange() {
        for (String bad : List.of("99", "600", "99-200", "200-600", "0")) {
            assertEquals("'" + bad + "' (expected a status like 200 or a range like 200-399, within 100..599)",
                    onlyError(pool("health:\n  type: http\n  http:\n    expect-status: " + bad + "\n"), 10,
                            "pools.chat.health.http.expect-status"), bad);
        }
        assertEquals(new HttpCheckConfig("/healthz", 100, 599, null),
                load("health: { type: http, http: { expect-status: 100-599 } }\n").health().http());
    }

    @Test
    void expectStatusRangeInOrder() {
        assertEquals("'399-200' (the range ends below its start; expected a range like 200-399)",
                onlyError(pool("health:\n  type: http\n  http:\n    expect-status: 399-200\n"), 10,
                        "pools.chat.health.http.expect-status"));
    }

    @Test
    void httpHostIsAHostName() {
        assertEquals("'app internal' (expected a host name like app.internal)",
                onlyError(pool("health:\n  type: http\n  http:\n    host: app internal\n"), 10,
                        "pools.chat.health.http.host"));
        assertEquals("'app.internal:8080' (expected a host name like app.internal)",
                onlyError(pool("health:\n  type: http\n  http:\n    host: app.internal:8080\n"), 10,
                        "pools.chat.health.http.host"));
    }

    // ---- passive

    @Test
    void passiveMustBeAMapping() {
        assertEquals("expected a mapping, found '5'", onlyError(pool("passive: 5\n"), 7, "pools.chat.passive"));
    }

    @Test
    void unknownPassiveKey() {
        assertEquals("unknown key 'consecutive-failure' (did you mean 'consecutive-failures'?)",
                onlyError(pool("passive:\n  consecutive-failure: 3\n"), 8, "pools.chat.passive.consecutive-failure"));
    }

    @Test
    void consecutiveFailuresRange() {
        assertEquals("1001 (expected 0..1000)",
                onlyError(pool("passive:\n  consecutive-failures: 1001\n"), 8, "pools.chat.passive.consecutive-failures"));
        assertEquals("-1 (expected 0..1000)",
                onlyError(pool("passive:\n  consecutive-failures: -1\n"), 8, "pools.chat.passive.consecutive-failures"));
    }

    @Test
    void ejectionRange() {
        assertEquals("0 (expected more than 0 and at most 1h)",
                onlyError(pool("passive:\n  ejection: 0\n"), 8, "pools.chat.passive.ejection"));
        assertEquals("2h (expected more than 0 and at most 1h)",
                onlyError(pool("passive:\n  ejection: 2h\n"), 8, "pools.chat.passive.ejection"));
    }

    // ---- slow-start

    @Test
    void slowStartRange() {
        assertEquals("61m (expected 0 to 1h)", onlyError(pool("slow-start: 61m\n"), 7, "pools.chat.slow-start"));
        assertEquals("'fast' is not a duration (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                onlyError(pool("slow-start: fast\n"), 7, "pools.chat.slow-start"));
        assertEquals(Duration.ZERO, load("slow-start: 0s\n").slowStart());
        assertEquals(Duration.ofSeconds(30), load("slow-start: 30s\n").slowStart());
    }

    // ---- drain

    @Test
    void drainMustBeAMapping() {
        assertEquals("expected a mapping, found '10m'", onlyError(pool("drain: 10m\n"), 7, "pools.chat.drain"));
    }

    @Test
    void unknownDrainKey() {
        assertEquals("unknown key 'close_rate' (did you mean 'close-rate'?)",
                onlyError(pool("drain:\n  close_rate: 5\n"), 8, "pools.chat.drain.close_rate"));
    }

    @Test
    void drainDeadlineRange() {
        assertEquals("0 (expected more than 0 and at most 168h; leave deadline out for none)",
                onlyError(pool("drain:\n  deadline: 0\n"), 8, "pools.chat.drain.deadline"));
        assertEquals("169h (expected more than 0 and at most 168h; leave deadline out for none)",
                onlyError(pool("drain:\n  deadline: 169h\n"), 8, "pools.chat.drain.deadline"));
        assertEquals(Duration.ofMinutes(10), load("drain: { deadline: 10m }\n").drain().deadline());
        assertNull(load("drain: { deadline: ~ }\n").drain().deadline());
    }

    @Test
    void closeRateRange() {
        assertEquals("0 (expected 1..100000)", onlyError(pool("drain:\n  close-rate: 0\n"), 8, "pools.chat.drain.close-rate"));
        assertEquals("100001/s (expected 1..100000)",
                onlyError(pool("drain:\n  close-rate: 100001/s\n"), 8, "pools.chat.drain.close-rate"));
        assertEquals("99999999999999999999999/s (expected 1..100000)",
                onlyError(pool("drain:\n  close-rate: 99999999999999999999999/s\n"), 8, "pools.chat.drain.close-rate"));
    }

    @Test
    void closeRateForm() {
        for (String bad : List.of("fast", "100/m", "1.5", "-5", "100 /s", "1e3")) {
            assertEquals("'" + bad + "' (expected connections per second like 100 or 100/s, 1..100000)",
                    onlyError(pool("drain:\n  close-rate: \"" + bad + "\"\n"), 8, "pools.chat.drain.close-rate"), bad);
        }
    }

    @Test
    void allHealthErrorsAtOnce() {
        List<ConfigError> errors = errors(pool("""
                health:
                  type: tcp
                  interval: 2h
                  rise: 0
                  http: { path: nope }
                passive: { ejection: 0 }
                slow-start: 2h
                drain: { close-rate: 0 }
                """));
        assertEquals(List.of(9, 10, 11, 11, 12, 13, 14), errors.stream().map(ConfigError::line).toList(),
                Yaml.render(errors));
        assertError(errors, 11, "pools.chat.health.http.path");
        assertError(errors, 11, "pools.chat.health.http");
    }
}
