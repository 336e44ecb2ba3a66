package io.sluice.duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one grammar, and the one error every program prints for a bad duration. */
class DurationsTest {

    @Test
    void acceptsAnIntegerAndAUnitOrABareZero() {
        assertEquals(Optional.of(Duration.ZERO), Durations.parse("0"));
        assertEquals(Optional.of(Duration.ofMillis(1500)), Durations.parse("1500ms"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), Durations.parse("30s"));
        assertEquals(Optional.of(Duration.ofMinutes(10)), Durations.parse("10m"));
        assertEquals(Optional.of(Duration.ofHours(1)), Durations.parse("1h"));
        assertEquals(Optional.of(Duration.ofHours(999_999_999_999L)), Durations.parse("999999999999h"));
        for (String bad : new String[] {"30", "-1s", "1.5s", "1h30m", "2d", "10 s", " 10s", "", "s", "0s0"}) {
            assertTrue(Durations.parse(bad).isEmpty(), bad);
        }
    }

    @Test
    void everyProblemSaysTheGrammar() {
        assertEquals("'soon' is not a duration (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                Durations.problem("soon"));
        assertEquals("'30' is not a duration: add a unit, e.g. 30s (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                Durations.problem("30"));
        assertEquals("'1234567890123s' is not a duration: at most 12 digits"
                + " (expected an integer and a unit: 500ms, 30s, 10m or 1h)", Durations.problem("1234567890123s"));
        assertEquals("'" + "9".repeat(40) + "...' is not a duration: at most 12 digits"
                + " (expected an integer and a unit: 500ms, 30s, 10m or 1h)", Durations.problem("9".repeat(100)));
        assertEquals("'a\\u001bb' is not a duration (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                Durations.problem("a\u001bb"));
    }

    @Test
    void argumentsAreTrimmedAndRefusedWithTheSameWords() {
        assertEquals(Duration.ofSeconds(5), Durations.parseArgument(" 5s\n"));
        assertEquals(Durations.problem("30"),
                assertThrows(IllegalArgumentException.class, () -> Durations.parseArgument(" 30 ")).getMessage());
    }

    @Test
    void formatsInTheLargestUnitThatDividesIt() {
        assertEquals("0", Durations.format(Duration.ZERO));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        assertEquals("2s", Durations.format(Duration.ofSeconds(2)));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
        assertEquals("168h", Durations.format(Duration.ofDays(7)));
        for (String text : new String[] {"0", "1500ms", "2s", "10m", "168h"}) {
            assertEquals(text, Durations.format(Durations.parse(text).orElseThrow()));
        }
    }
}
