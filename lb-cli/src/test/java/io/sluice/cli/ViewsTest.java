package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Times for people: relative ones rounded to the nearest second, absolute ones as a clock reads them. */
class ViewsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:15:30.250Z");

    @Test
    void aDeadlineJustUnderTwoSecondsAwayIsInTwoSeconds() {
        assertEquals("in 2s", Views.relative("2026-12-07T10:15:32.230123456Z", NOW));
        assertEquals("in 1s", Views.relative("2026-12-07T10:15:31.700Z", NOW));
        assertEquals("in 400ms", Views.relative("2026-12-07T10:15:30.650Z", NOW));
        assertEquals("3s ago", Views.relative("2026-12-07T10:15:27.300Z", NOW));
        assertEquals("in 10m", Views.relative("2026-12-07T10:25:29.900Z", NOW));
    }

    @Test
    void aDeadlineReadsAsAClockTimeWithoutNanoseconds() {
        Clock utc = Clock.fixed(NOW, ZoneOffset.UTC);
        assertEquals("10:15:32 UTC", Views.clockTime("2026-12-07T10:15:32.230123456Z", utc));
        assertEquals("2026-12-09 08:00:00 UTC", Views.clockTime("2026-12-09T08:00:00Z", utc));
        Clock paris = Clock.fixed(NOW, ZoneId.of("Europe/Paris"));
        assertEquals("11:15:32 CET", Views.clockTime("2026-12-07T10:15:32Z", paris));
        assertEquals("not a time", Views.clockTime("not a time", utc));
    }
}
