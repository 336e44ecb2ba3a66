package io.sluice.daemon;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The daemon's one lifecycle, as a phase that only moves forward (compare-and-set, as Curator's
 * {@code LeaderLatch} and Armeria's {@code StartStopSupport} do), and readiness derived from it:
 * ready exactly while {@link Phase#SERVING}.
 *
 * <pre>
 * STARTING ──► SERVING ──► HANDED_OVER ──► DRAINING ──► STOPPED
 *     └────────────┴──────────────┴──────────►┘
 * </pre>
 *
 * Thread-safe: the control thread, the handover thread, signal handlers and the admin API's
 * threads all read it.
 */
final class Lifecycle {

    /** Where the daemon is in its life. */
    enum Phase {
        /** Building pools, binding, waiting for discovery's first snapshots or taking over. Not ready. */
        STARTING,
        /** Listeners accept and the relay runs. The only ready phase. */
        SERVING,
        /** A new process serves the listeners; only connections it did not take still run here. */
        HANDED_OVER,
        /** Stopping: listeners closed, open connections get the grace period, then everything stops. */
        DRAINING,
        /** Everything stopped. */
        STOPPED
    }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
    /** Counted down by a second stop signal: the grace period of a running drain ends now. */
    private final CountDownLatch graceAbandoned = new CountDownLatch(1);

    Phase phase() {
        return phase.get();
    }

    /** For /readyz: true only while serving. */
    boolean ready() {
        return phase.get() == Phase.SERVING;
    }

    /** STARTING → SERVING; false if the daemon is past starting already (serving, or stopping). */
    boolean serving() {
        return phase.compareAndSet(Phase.STARTING, Phase.SERVING);
    }

    /** STARTING or SERVING → HANDED_OVER; false if it is stopping already. */
    boolean handedOver() {
        return phase.compareAndSet(Phase.SERVING, Phase.HANDED_OVER)
                || phase.compareAndSet(Phase.STARTING, Phase.HANDED_OVER);
    }

    /**
     * Any phase before DRAINING → DRAINING, so a stop runs once.
     *
     * @return the phase it left (HANDED_OVER tells the stop that the handover socket is the new
     *         process's now), or null when a stop is (or was) under way
     */
    Phase draining() {
        Phase now = phase.get();
        while (now.compareTo(Phase.DRAINING) < 0) {
            if (phase.compareAndSet(now, Phase.DRAINING)) {
                return now;
            }
            now = phase.get();
        }
        return null;
    }

    void stopped() {
        phase.set(Phase.STOPPED);
    }

    /** Ends the grace period of a drain now, or of the next one if none runs yet (a second SIGTERM). */
    void abandonGrace() {
        graceAbandoned.countDown();
    }

    /** Waits up to {@code millis} for the grace period to be abandoned; true once it was. */
    boolean graceAbandoned(long millis) {
        try {
            return graceAbandoned.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
