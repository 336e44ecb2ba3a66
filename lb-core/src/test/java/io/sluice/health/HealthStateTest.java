package io.sluice.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthStateTest {

    @Test
    void startsUpAndFallsAfterFallFailuresInARow() {
        HealthState s = new HealthState(2, 3, true);
        assertTrue(s.up());
        assertNull(s.onCheck(false, "refused", 0));
        assertNull(s.onCheck(false, "refused", 0));
        assertNull(s.onCheck(true, "ok", 0)); // resets the run
        assertNull(s.onCheck(false, "refused", 0));
        assertNull(s.onCheck(false, "timeout", 0));
        assertEquals("3 failed checks (last: http 503)", s.onCheck(false, "http 503", 0));
        assertFalse(s.up());
        assertNull(s.onCheck(false, "refused", 0)); // no second report
    }

    @Test
    void risesAfterRiseSuccessesInARow() {
        HealthState s = new HealthState(2, 1, true);
        assertEquals("1 failed check (last: refused)", s.onCheck(false, "refused", 0));
        assertNull(s.onCheck(true, "ok", 0));
        assertNull(s.onCheck(false, "refused", 0)); // resets the run
        assertNull(s.onCheck(true, "ok", 0));
        assertEquals("2 good checks", s.onCheck(true, "ok", 0));
        assertTrue(s.up());
        assertNull(s.onCheck(true, "ok", 0));
    }

    @Test
    void ejectionHoldsOffGoodChecksUntilItEnds() {
        HealthState s = new HealthState(1, 3, true);
        assertEquals("5 connect failures from traffic", s.onTrafficFailures(5, 100, 1_000));
        assertNull(s.onTrafficFailures(5, 100, 1_010)); // already down
        assertNull(s.onCheck(true, "ok", 1_050));
        assertNull(s.onCheck(true, "ok", 1_099));
        assertFalse(s.up());
        assertEquals("1 good check", s.onCheck(true, "ok", 1_100));
    }

    @Test
    void withoutActiveChecksTheEjectionTimerBringsItBack() {
        HealthState s = new HealthState(2, 3, false);
        s.onTrafficFailures(5, 100, 0);
        assertNull(s.onEjectionTimer(Duration.ofSeconds(30), 99));
        assertTrue(s.ejected());
        assertEquals(1, s.ejectionLeft(99));
        assertEquals("ejection of 30s ended", s.onEjectionTimer(Duration.ofSeconds(30), 100));
        assertTrue(s.up());
        assertFalse(s.ejected());
    }

    @Test
    void withActiveChecksTheEjectionTimerOnlyEndsTheEjection() {
        HealthState s = new HealthState(2, 3, true);
        s.onTrafficFailures(5, 100, 0);
        assertNull(s.onEjectionTimer(Duration.ofMillis(100), 100));
        assertFalse(s.up());
        assertNull(s.onCheck(true, "ok", 101));
        assertEquals("2 good checks", s.onCheck(true, "ok", 102));
    }

    @Test
    void formatsDurations() {
        assertEquals("300ms", HealthState.format(Duration.ofMillis(300)));
        assertEquals("30s", HealthState.format(Duration.ofSeconds(30)));
        assertEquals("2m", HealthState.format(Duration.ofMinutes(2)));
        assertEquals("1h", HealthState.format(Duration.ofHours(1)));
        assertEquals("0s", HealthState.format(Duration.ZERO));
    }
}
