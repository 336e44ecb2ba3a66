package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HumanDurationsTest {

    private static final HumanDurations.Converter CONVERTER = new HumanDurations.Converter();

    @Test
    void optionsReadTheConfigGrammar() {
        assertEquals(Duration.ZERO, CONVERTER.convert("0"));
        assertEquals(Duration.ofMillis(500), CONVERTER.convert("500ms"));
        assertEquals(Duration.ofSeconds(30), CONVERTER.convert(" 30s "));
        assertEquals(Duration.ofMinutes(10), CONVERTER.convert("10m"));
        assertEquals(Duration.ofHours(1), CONVERTER.convert("1h"));
        for (String bad : new String[] {"-1s", "1h30m", "2d", "1.5s", ""}) {
            assertEquals("'" + bad + "' is not a duration (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                    assertThrows(CommandLine.TypeConversionException.class, () -> CONVERTER.convert(bad)).getMessage());
        }
    }

    @Test
    void aBareNumberGetsTheSameErrorAsInTheConfig() {
        assertEquals("'10' is not a duration: add a unit, e.g. 10s (expected an integer and a unit: 500ms, 30s, 10m or 1h)",
                assertThrows(CommandLine.TypeConversionException.class, () -> CONVERTER.convert("10")).getMessage());
    }

    @Test
    void printsShortHumanDurations() {
        assertEquals("0s", HumanDurations.human(Duration.ZERO));
        assertEquals("850ms", HumanDurations.human(Duration.ofMillis(850)));
        assertEquals("42s", HumanDurations.human(Duration.ofSeconds(42)));
        assertEquals("10m", HumanDurations.human(Duration.ofMinutes(10)));
        assertEquals("3m12s", HumanDurations.human(Duration.ofSeconds(192)));
        assertEquals("2h05m", HumanDurations.human(Duration.ofMinutes(125)));
        assertEquals("3d04h", HumanDurations.human(Duration.ofHours(76)));
    }
}
