package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.duration.Durations;
import io.sluice.yaml.ConfigError;
import io.sluice.yaml.ConfigException;
import io.sluice.yaml.Suggestions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The value parsers on their own: durations, addresses, names, suggestions. */
class ValuesTest {

    @Test
    void durations() {
        assertEquals(Optional.of(Duration.ofMillis(1500)), Durations.parse("1500ms"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), Durations.parse("30s"));
        assertEquals(Optional.of(Duration.ofMinutes(10)), Durations.parse("10m"));
        assertEquals(Optional.of(Duration.ofHours(1)), Durations.parse("1h"));
        assertEquals(Optional.of(Duration.ZERO), Durations.parse("0"));
        assertEquals(Optional.of(Duration.ZERO), Durations.parse("0s"));
        for (String bad : List.of("10 min", "10", "1.5s", "-1s", "1h30m", "s", "", "10S", "1d", "9999999999999h")) {
            assertEquals(Optional.empty(), Durations.parse(bad), bad);
        }
    }

    @Test
    void durationsFormatted() {
        assertEquals("0", Durations.format(Duration.ZERO));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        assertEquals("2s", Durations.format(Duration.ofSeconds(2)));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
        assertEquals("168h", Durations.format(Duration.ofHours(168)));
        for (String s : List.of("1500ms", "2s", "10m", "1h")) {
            assertEquals(s, Durations.format(Durations.parse(s).orElseThrow()));
        }
    }

    @Test
    void durationsInConfig() {
        var config = Yaml.load(Yaml.MINIMAL + "timeouts:\n  idle: 1500ms\n  shutdown-grace: 0\n");
        assertEquals(new TimeoutsConfig(Duration.ofMillis(1500), Duration.ZERO), config.timeouts());
    }

    @Test
    void bindAddresses() {
        assertEquals(new InetSocketAddress("127.0.0.1", 7000), Addresses.bind("127.0.0.1:7000"));
        assertEquals(new InetSocketAddress("::1", 7000), Addresses.bind("[::1]:7000"));
        assertEquals(new InetSocketAddress("fe80::1", 1), Addresses.bind("[fe80:0:0:0:0:0:0:1]:1"));
        assertEquals(new InetSocketAddress(65535), Addresses.bind(":65535"));
        assertEquals(new InetSocketAddress("0.0.0.0", 80), Addresses.bind("0.0.0.0:80"));
        for (String bad : List.of("host:80", "127.0.0.1:", "127.0.0.1:0", ":65536", "[::1]", "[::1]7000",
                "::1:7000", "1.2.3:80", "1.2.3.4.5:80", "[1.2.3.4]:80", "", ":")) {
            assertThrows(IllegalArgumentException.class, () -> Addresses.bind(bad), bad);
        }
    }

    @Test
    void backendAddresses() {
        assertEquals(new InetSocketAddress("10.1.2.3", 443), Addresses.backend("10.1.2.3:443"));
        assertEquals(new InetSocketAddress("2001:db8::2", 443), Addresses.backend("[2001:db8::2]:443"));
        assertTrue(Addresses.backend("localhost:1").getAddress().isLoopbackAddress());
        assertEquals("localhost", Addresses.backend("localhost:1").getHostString());
        for (String bad : List.of(":80", "localhost", "a..b:80", "-a:80", "a b:80", "10.0.0.256:80")) {
            assertThrows(IllegalArgumentException.class, () -> Addresses.backend(bad), bad);
        }
    }

    @Test
    void names() {
        assertTrue(Names.isValid("a"));
        assertTrue(Names.isValid("App_1.eu-west"));
        assertTrue(Names.isValid("0"));
        assertFalse(Names.isValid(""));
        assertFalse(Names.isValid("_a"));
        assertFalse(Names.isValid("a b"));
        assertFalse(Names.isValid("a".repeat(65)));
    }

    @Test
    void suggestions() {
        List<String> keys = List.of("balance", "backends", "retries");
        assertEquals(Optional.of("balance"), Suggestions.closest("balanse", keys));
        assertEquals(Optional.of("retries"), Suggestions.closest("retrys", keys));
        assertEquals(Optional.of("backends"), Suggestions.closest("Backend", keys));
        assertEquals(Optional.empty(), Suggestions.closest("weight", keys));
        assertEquals(Optional.empty(), Suggestions.closest("x".repeat(10_000), keys));
    }

    @Test
    void errorFormat() {
        assertEquals("conf/sluice.yaml:12: pools.chat.backends[0].weight: -5 (expected 0..1000)",
                new ConfigError("conf/sluice.yaml", 12, "pools.chat.backends[0].weight", "-5 (expected 0..1000)")
                        .toString());
        assertEquals("a.yaml:0: cannot read: no such file", new ConfigError("a.yaml", 0, "", "cannot read: no such file")
                .toString());
        assertThrows(IllegalArgumentException.class, () -> new ConfigException(List.of()));
    }
}
