package io.sluice.cli;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.PoolView;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code drain --wait}: polls {@code GET /api/v1/pools/{pool}} every poll interval and shows the
 * backend's {@code active_connections} going to zero on stderr: a bar redrawn in place on a
 * terminal ({@code [#######.....] 12 left of 40}), otherwise a line each time the count changes.
 * Exits 0 at zero, 1 when the drain deadline or {@code --wait-timeout} passes first.
 */
final class DrainWatch {
    private static final int BAR = 30;

    private final AdminCommand command;
    private final BackendRef target;
    private final Duration waitTimeout;
    private final PrintWriter err;
    private final boolean terminal;
    private final Clock clock;

    private int total;
    private long shown = -1;
    private int drawnWidth;

    DrainWatch(AdminCommand command, BackendRef target, Duration waitTimeout) {
        this.command = command;
        this.target = target;
        this.waitTimeout = waitTimeout;
        this.err = command.err();
        this.terminal = command.context().stderrTerminal();
        this.clock = command.context().clock();
    }

    /** @param drained the drain call's answer */
    int watch(BackendView drained) {
        Instant timeoutAt = waitTimeout == null ? null : clock.instant().plus(waitTimeout);
        BackendView b = drained;
        int left = b.activeConnections();
        total = left;
        while (true) {
            show(left);
            if (left == 0) {
                endLine();
                String done = target + " is drained: no connections left";
                if (command.json()) {
                    err.println(done);
                    err.flush();
                } else {
                    command.out().println(done);
                    command.out().flush();
                }
                return ExitCodes.OK;
            }
            Instant now = clock.instant();
            Instant deadline = instant(b.drainDeadline());
            if (deadline != null && !now.isBefore(deadline)) {
                endLine();
                throw new CliException(ExitCodes.FAILED, target + ": the drain deadline " + Views.clockTime(b.drainDeadline(), clock)
                        + " passed with " + connections(left) + " still open (the daemon is closing them)");
            }
            if (timeoutAt != null && !now.isBefore(timeoutAt)) {
                endLine();
                throw new CliException(ExitCodes.FAILED, target + ": --wait-timeout " + HumanDurations.human(waitTimeout)
                        + " passed with " + connections(left) + " still open (the backend stays in drain)");
            }
            sleep();
            b = poll();
            if ("ready".equals(b.admin())) {
                endLine();
                throw new CliException(ExitCodes.FAILED, target + " is no longer draining (admin: ready, "
                        + b.cause() + "); stopped waiting");
            }
            left = b.activeConnections();
            total = Math.max(total, left);
        }
    }

    private BackendView poll() {
        PoolView pool;
        String path = "/pools/" + AdminClient.segment(target.pool());
        try {
            pool = AdminClient.read(command.client().get(path), PoolView.class, "GET " + path);
        } catch (CliException e) {
            endLine(); // the error goes below the bar, not after it
            throw e;
        }
        for (BackendView b : Views.list(pool.backends())) {
            if (target.backend().equals(b.name())) {
                return b;
            }
        }
        endLine();
        throw new CliException(ExitCodes.FAILED, target + " is no longer in pool " + target.pool()
                + " (removed by a reload?); stopped waiting");
    }

    private void show(int left) {
        if (terminal) {
            int done = total == 0 ? BAR : (int) Math.round(BAR * (double) (total - left) / total);
            String line = target + " [" + "#".repeat(done) + ".".repeat(BAR - done) + "] " + left + " left of " + total;
            // Carriage return and redraw; blanks wipe what a longer previous line left behind.
            err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
            drawnWidth = line.length();
            err.flush();
        } else if (left != shown) {
            err.println(target + ": " + left + " left of " + total);
            err.flush();
        }
        shown = left;
    }

    private void endLine() {
        if (terminal && drawnWidth > 0) {
            err.println();
            err.flush();
            drawnWidth = 0;
        }
    }

    private void sleep() {
        try {
            Thread.sleep(command.context().pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            endLine();
            throw new CliException(ExitCodes.FAILED, "interrupted while waiting for " + target + " to drain");
        }
    }

    private static String connections(int n) {
        return n + (n == 1 ? " connection" : " connections");
    }

    private static Instant instant(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
