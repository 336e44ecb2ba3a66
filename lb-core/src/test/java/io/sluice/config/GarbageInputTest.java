package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.yaml.ConfigError;
import io.sluice.yaml.ConfigException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whatever the input, the loader answers with a config or a ConfigException, never anything else, and
 * in bounded time (the timeout turns a parser loop into a failure instead of a hung build).
 */
@Timeout(60)
class GarbageInputTest {

    private static final String SYNTAX = "[]{}:-&*!|>'\"#, \n\t?";

    private static final List<String> ODD_DOCUMENTS = List.of(
            "",
            "\n\n\n",
            "- 1\n- 2\n",
            "42",
            "~",
            "!!binary aGVsbG8=",
            "\"just a string\"",
            "{}",
            "[]",
            "listeners: ~\npools: ~",
            "listeners: 5\npools: 5\ntimeouts: 5\nlimits: 5",
            "listeners: [~, 1, [], {}]\npools: {a: ~, b: 1, c: [], d: {backends: [~, 1, [], {}]}}",
            "listeners: &l [*l]\npools: &p {x: *p}",
            "a: &a [*a, *a]\nb: *a",
            "x: &x\n  y: *x\nlisteners: [*x]",
            // Billion laughs: aliases multiply, and snakeyaml caps them.
            "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                    + "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                    + "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nlisteners: *g",
            "*undefined",
            "&a",
            "!!python/object:os.system ['rm -rf /']",
            "!java.lang.Runtime {}",
            "listeners:\n  - name: 99999999999999999999999999999999999\n    bind: 1e400\n    pool: -0.0",
            "pools:\n  chat:\n    maglev-table-size: 99999999999999999999999999\n    retries: 0x10",
            "pools:\n  chat:\n    maglev-table-size: 2147483647\n    connect-timeout: 999999999999h",
            "listeners:\n  - bind: \"[\"\n  - bind: \"]:\"\n  - bind: \"[]:1\"\n  - bind: \"[%]:1\"",
            "? ? ? a\n",
            "<<: 5\nlisteners: {<<: [1, 2]}\npools: {<<: *nope}",
            "a: &a {<<: *a}",
            "{a: 1, a: 1, a: 1}",
            "%YAML 1.1\n---\na: 1",
            "%YAML 9.9\n---\na: 1",
            "%TAG ! tag:example.com,2000:\n---\n!foo a",
            "--- |\n  literal\n",
            "a: b: c",
            "'unterminated",
            "a:\n- b\n  c: d",
            "\u0000\u0001\u0002\u0003",
            "\uFFFE\uFFFF",
            "\uD800",
            "key: \u007F\u0080\u009F",
            "[".repeat(100_000),
            "{a: ".repeat(10_000),
            "- ".repeat(5_000) + "x",
            "x: " + "y".repeat(100_000),
            "admin: {bind: 5, token-file: /dev/zero}\nstate: {store: [], file: {}}",
            "admin: {bind: \":1\", token-file: /proc/self/mem}\nstate: {file: \"\\0\"}",
            "admin: [token-file]\nstate: 5",
            "pools:\n  p:\n    health: {type: [], interval: {}, timeout: 99999999999999h, http: [1]}\n"
                    + "    passive: []\n    slow-start: {}\n    drain: {deadline: -1, close-rate: 1e999/s}");

    @Test
    void oddDocumentsOnlyEverThrowConfigException() {
        for (String yaml : ODD_DOCUMENTS) {
            feed(yaml);
        }
    }

    @Test
    void randomBytesOnlyEverThrowConfigException() {
        Random random = new Random(42);
        for (int i = 0; i < 300; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            feed(new String(bytes, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void mutatedShippedConfigOnlyEverThrowsConfigException() {
        // Deleting or duplicating characters of a real config finds crashes deep in the reader,
        // which pure random input rarely reaches.
        Random random = new Random(7);
        String base = Yaml.MINIMAL + "timeouts:\n  idle: 1h\nlimits:\n  max-connections: 5\n";
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            StringBuilder s = new StringBuilder(base);
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits && s.length() > 0; e++) {
                int at = random.nextInt(s.length());
                switch (random.nextInt(3)) {
                    case 0 -> s.deleteCharAt(at);
                    case 1 -> s.insert(at, s.charAt(random.nextInt(s.length())));
                    default -> s.setCharAt(at, SYNTAX.charAt(random.nextInt(SYNTAX.length())));
                }
            }
            inputs.add(s.toString());
        }
        inputs.forEach(GarbageInputTest::feed);
    }

    private static void feed(String yaml) {
        try {
            ConfigLoader.parse(yaml, "junk.yaml");
        } catch (ConfigException e) {
            assertFalse(e.errors().isEmpty());
            for (ConfigError error : e.errors()) {
                assertFalse(error.message().startsWith("internal error"),
                        () -> "reader bug on input " + abbreviate(yaml) + ": " + error);
            }
        } catch (Throwable t) {
            fail("input " + abbreviate(yaml) + " threw " + t, t);
        }
    }

    private static String abbreviate(String s) {
        return "'" + (s.length() > 200 ? s.substring(0, 200) + "..." : s) + "'";
    }
}
