package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parsesTheConfigSyntax() {
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofMinutes(10), Durations.parse("10m"));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("10"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("-1s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("1h30m"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("2d"));
    }

    @Test
    void printsShortHumanDurations() {
        assertEquals("0s", Durations.human(Duration.ZERO));
        assertEquals("850ms", Durations.human(Duration.ofMillis(850)));
        assertEquals("42s", Durations.human(Duration.ofSeconds(42)));
        assertEquals("10m", Durations.human(Duration.ofMinutes(10)));
        assertEquals("3m12s", Durations.human(Duration.ofSeconds(192)));
        assertEquals("2h05m", Durations.human(Duration.ofMinutes(125)));
        assertEquals("3d04h", Durations.human(Duration.ofHours(76)));
    }
}
