package io.sluice.cli;

import java.io.Console;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;

/**
 * What the commands take from the world around them, injected so tests control it: environment
 * variables, whether stdout/stderr are terminals, the clock, how long to sleep between drain polls.
 *
 * @param stdoutTerminal colour the tables (unless NO_COLOR is set)
 * @param stderrTerminal redraw the drain progress bar in place instead of printing lines
 */
record CliContext(Map<String, String> env, boolean stdoutTerminal, boolean stderrTerminal, Clock clock,
        Duration pollInterval) {

    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

    CliContext {
        env = Map.copyOf(env);
    }

    /** The real process: its environment, the system clock in the local zone, terminal detection via {@link System#console()}. */
    static CliContext system() {
        boolean tty = isTerminal(System.console());
        return new CliContext(System.getenv(), tty, tty, new LocalClock(), DEFAULT_POLL_INTERVAL);
    }

    /**
     * The system clock in the local zone, the zone looked up when first asked: deadlines are shown as the
     * operator's wall clock reads them, but only {@code drain --deadline} shows one, and looking the zone up
     * reads and parses the JDK's whole time-zone database (about a tenth of a {@code status} call's
     * start-up work, docs/performance.md "Round 3"). Thread-safe: the lookup is idempotent.
     */
    private static final class LocalClock extends Clock {
        private volatile ZoneId zone;

        @Override
        public ZoneId getZone() {
            ZoneId z = zone;
            if (z == null) {
                z = ZoneId.systemDefault();
                zone = z;
            }
            return z;
        }

        @Override
        public Clock withZone(ZoneId other) {
            return Clock.system(other);
        }

        @Override
        public Instant instant() {
            return Instant.now();
        }

        @Override
        public long millis() {
            return System.currentTimeMillis();
        }
    }

    /** Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
    boolean colour() {
        String noColor = env.get("NO_COLOR");
        return stdoutTerminal && (noColor == null || noColor.isEmpty());
    }

    String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /**
     * Java 17 returns a console only when stdin and stdout are both terminals; from Java 22 a console
     * may exist while redirected, and {@code Console.isTerminal()} tells (looked up reflectively).
     * Java cannot ask about stderr alone, so stderr is taken to be a terminal when stdout is.
     */
    private static boolean isTerminal(Console console) {
        if (console == null) {
            return false;
        }
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(console);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }
}
