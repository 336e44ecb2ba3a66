package io.sluice.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.daemon.Lifecycle.Phase;
import org.junit.jupiter.api.Test;

/** The daemon's phase only moves forward, and readiness is exactly the SERVING phase. */
class LifecycleTest {

    @Test
    void startsNotReadyAndIsReadyOnlyWhileServing() {
        Lifecycle l = new Lifecycle();
        assertEquals(Phase.STARTING, l.phase());
        assertFalse(l.ready());
        assertTrue(l.serving());
        assertTrue(l.ready());
        assertFalse(l.serving(), "serving twice: the second is a no-op");
        assertTrue(l.handedOver());
        assertEquals(Phase.HANDED_OVER, l.phase());
        assertFalse(l.ready());
    }

    @Test
    void stopRunsOnceAndTellsWhetherAHandoverCameFirst() {
        Lifecycle handed = new Lifecycle();
        handed.serving();
        handed.handedOver();
        assertEquals(Phase.HANDED_OVER, handed.draining());
        assertNull(handed.draining(), "a second stop does nothing");
        assertFalse(handed.ready());

        Lifecycle plain = new Lifecycle();
        plain.serving();
        assertEquals(Phase.SERVING, plain.draining());
        assertFalse(plain.serving(), "no way back to serving once stopping");
        assertFalse(plain.handedOver(), "no handover once stopping");
        plain.stopped();
        assertEquals(Phase.STOPPED, plain.phase());
        assertNull(plain.draining());
    }

    @Test
    void aFailedStartStopsFromStarting() {
        Lifecycle l = new Lifecycle();
        assertEquals(Phase.STARTING, l.draining());
        assertFalse(l.ready());
    }

    @Test
    void abandoningTheGraceEndsTheWaitEvenWhenItCameFirst() {
        Lifecycle l = new Lifecycle();
        assertFalse(l.graceAbandoned(1));
        l.abandonGrace(); // a second SIGTERM before the stop reached its wait
        assertTrue(l.graceAbandoned(1));
    }
}
