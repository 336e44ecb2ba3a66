package io.sluice.health;

import java.time.Duration;

/**
 * One backend's health state machine: UP/DOWN with consecutive success and failure counters, and
 * passive ejection.
 *
 * <ul>
 *   <li>UP → DOWN after {@code fall} failed active checks in a row, or at once when traffic saw
 *       {@code consecutive-failures} connect failures in a row (the backend is then <em>ejected</em>).
 *   <li>DOWN → UP after {@code rise} good active checks in a row. While ejected, active check results
 *       are not counted; the count starts when the ejection ends. Without active checks (type none)
 *       the end of the ejection itself brings the backend back.
 * </ul>
 *
 * <p>Starts UP (optimistic): a restart must not refuse all traffic until the first checks are done.
 *
 * <p>Not thread-safe: confined to the backend's health event loop. Methods return the cause of a
 * transition, or null when the state did not change.
 */
final class HealthState {

    private final int rise;
    private final int fall;
    private final boolean activeChecks;

    private boolean up = true;
    private int successes;
    private int failures;
    private boolean ejected;
    private long ejectedUntil;

    HealthState(int rise, int fall, boolean activeChecks) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise " + rise + ", fall " + fall + " (expected >= 1)");
        }
        this.rise = rise;
        this.fall = fall;
        this.activeChecks = activeChecks;
    }

    boolean up() {
        return up;
    }

    boolean ejected() {
        return ejected;
    }

    /** An active check finished at {@code nowNanos}; {@code result} names a failure ("refused"). */
    String onCheck(boolean ok, String result, long nowNanos) {
        if (ejected) {
            if (nowNanos - ejectedUntil < 0) {
                return null; // still ejected: good checks must not bring it back yet
            }
            ejected = false;
            successes = 0;
        }
        if (ok) {
            failures = 0;
            if (!up && ++successes >= rise) {
                up = true;
                successes = 0;
                return rise + (rise == 1 ? " good check" : " good checks");
            }
        } else {
            successes = 0;
            if (up && ++failures >= fall) {
                up = false;
                failures = 0;
                return fall + (fall == 1 ? " failed check" : " failed checks") + " (last: " + result + ")";
            }
        }
        return null;
    }

    /**
     * Traffic saw {@code count} connect failures in a row at {@code nowNanos}: eject for
     * {@code ejectionNanos}. Ignored while already DOWN (no traffic is sent to it then, so these are
     * connects that started before it went down).
     */
    String onTrafficFailures(int count, long ejectionNanos, long nowNanos) {
        if (!up) {
            return null;
        }
        up = false;
        ejected = true;
        ejectedUntil = nowNanos + ejectionNanos;
        successes = 0;
        failures = 0;
        return count + " connect failures from traffic";
    }

    /** Nanoseconds of ejection left at {@code nowNanos}; 0 when not ejected or over. */
    long ejectionLeft(long nowNanos) {
        return ejected ? Math.max(0, ejectedUntil - nowNanos) : 0;
    }

    /**
     * The ejection timer fired. Ends the ejection if its time has passed; without active checks the
     * backend is then UP again.
     */
    String onEjectionTimer(Duration ejection, long nowNanos) {
        if (!ejected || nowNanos - ejectedUntil < 0) {
            return null;
        }
        ejected = false;
        successes = 0;
        if (activeChecks || up) {
            return null; // the active checks' rise decides from here
        }
        up = true;
        return "ejection of " + format(ejection) + " ended";
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
