package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.yaml.ConfigError;
import io.sluice.yaml.ConfigException;
import java.util.List;
import java.util.stream.Collectors;

/** Test helpers: load YAML text, collect its errors, find one by key. */
final class Yaml {

    static final String FILE = "test.yaml";

    /** A minimal valid config; tests append or replace lines to break one thing at a time. */
    static final String MINIMAL = """
            listeners:
              - name: chat
                bind: 127.0.0.1:7000
                pool: chat
            pools:
              chat:
                backends:
                  - name: app-1
                    address: 127.0.0.1:9001
            """;

    private Yaml() {
    }

    static SluiceConfig load(String yaml) {
        try {
            return ConfigLoader.parse(yaml, FILE);
        } catch (ConfigException e) {
            return fail("expected a valid config, got:\n" + e.getMessage());
        }
    }

    static List<ConfigError> errors(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE));
        assertEquals(String.join("\n", e.errors().stream().map(ConfigError::toString).toList()), e.getMessage());
        return e.errors();
    }

    /** The single error of {@code yaml}, checked for file, line and key; returns its message. */
    static String onlyError(String yaml, int line, String key) {
        List<ConfigError> errors = errors(yaml);
        assertEquals(1, errors.size(), () -> "expected one error, got:\n" + render(errors));
        return assertError(errors, line, key);
    }

    /** Asserts that an error with this line and key is among {@code errors}; returns its message. */
    static String assertError(List<ConfigError> errors, int line, String key) {
        for (ConfigError e : errors) {
            if (e.key().equals(key) && e.line() == line) {
                assertEquals(FILE, e.file());
                return e.message();
            }
        }
        return fail("no error at line " + line + " key '" + key + "' among:\n" + render(errors));
    }

    static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "'" + message + "' does not contain '" + expected + "'");
    }

    static String render(List<ConfigError> errors) {
        return errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
    }
}
