package io.sluice.cli;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.PoolView;
import io.sluice.adminapi.StoreWriteView;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code drain --wait}: polls {@code GET /api/v1/pools/{pool}} every poll interval, on the node the
 * drain was sent to and on every other node of {@link FleetNodes}, and shows the sum of the backend's
 * {@code active_connections} going to zero on stderr: a bar redrawn in place on a terminal
 * ({@code [#######.....] 12 left of 40}), otherwise a line each time a count changes; with other
 * nodes, each node's count follows ({@code (127.0.0.1:9901 3, 127.0.0.1:9902 9)}).
 *
 * <p>Exits 0 once every node has the drain in force and no connections left to the backend, however
 * long after the drain deadline that is (from the deadline the daemons close the rest at the close
 * rate, so the wait follows that close to zero). Exits 1 when {@code --wait-timeout} passes first,
 * when the backend is put back to ready on the node the drain was sent to, or when it leaves the pool.
 * A node that does not answer, or has not got the drain, keeps the wait going.
 *
 * <p>Thread ownership: the command's thread only.
 */
final class DrainWatch {
    private static final int BAR = 30;

    private final AdminCommand command;
    private final BackendRef target;
    private final Duration waitTimeout;
    private final FleetNodes fleet;
    private final PrintWriter err;
    private final boolean terminal;
    private final Clock clock;

    private int total;
    private String shown;
    private int drawnWidth;
    private boolean deadlineSaid;

    DrainWatch(AdminCommand command, BackendRef target, Duration waitTimeout, FleetNodes fleet) {
        this.command = command;
        this.target = target;
        this.waitTimeout = waitTimeout;
        this.fleet = fleet;
        this.err = command.err();
        this.terminal = command.context().stderrTerminal();
        this.clock = command.context().clock();
    }

    /** @param drained the drain call's answer */
    int watch(BackendView drained) {
        Instant timeoutAt = waitTimeout == null ? null : clock.instant().plus(waitTimeout);
        StoreWriteView write = drained.sharedStore();
        BackendView b = drained;
        List<FleetNodes.Count> others = fleet.poll(target);
        while (true) {
            int left = b.activeConnections() + others.stream().mapToInt(FleetNodes.Count::active).sum();
            total = Math.max(total, left);
            show(left, b, others);
            if (left == 0 && others.stream().allMatch(FleetNodes.Count::settled)) {
                endLine();
                done(write);
                return ExitCodes.OK;
            }
            Instant now = clock.instant();
            Instant deadline = instant(b.drainDeadline());
            if (deadline != null && !now.isBefore(deadline) && !deadlineSaid) {
                deadlineSaid = true;
                endLine();
                err.println(target + ": the drain deadline " + Views.clockTime(b.drainDeadline(), clock) + " passed with " + connections(left)
                        + " open; the daemons close them at the close rate; still waiting");
                err.flush();
                shown = null;
            }
            if (timeoutAt != null && !now.isBefore(timeoutAt)) {
                endLine();
                throw new CliException(ExitCodes.FAILED, target + ": --wait-timeout " + HumanDurations.human(waitTimeout)
                        + " passed with " + connections(left) + " still open" + (fleet.isEmpty() ? "" : " " + perNode(b, others))
                        + " (the backend stays in drain)");
            }
            sleep();
            b = poll();
            if ("ready".equals(b.admin())) {
                endLine();
                throw new CliException(ExitCodes.FAILED, target + " is no longer draining (admin: ready, "
                        + b.cause() + "); stopped waiting");
            }
            others = fleet.poll(target);
        }
    }

    private void done(StoreWriteView write) {
        String done;
        if (!fleet.isEmpty()) {
            done = target + " is drained: no connections left on " + (fleet.size() + 1) + " nodes";
        } else if (write != null && !"local".equals(write.state())) {
            // The drain is in force on every node sharing the store, but only this node's connections were counted.
            done = target + " is drained on this node: no connections left here; the other nodes sharing its state"
                    + " store were not watched (name their admin addresses with --fleet or SLUICE_FLEET)";
        } else {
            done = target + " is drained: no connections left";
        }
        PrintWriter to = command.json() ? err : command.out();
        to.println(done);
        to.flush();
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

    private void show(int left, BackendView here, List<FleetNodes.Count> others) {
        String counts = left + " left of " + total + (fleet.isEmpty() ? "" : " " + perNode(here, others));
        if (terminal) {
            int done = total == 0 ? BAR : (int) Math.round(BAR * (double) (total - left) / total);
            String line = target + " [" + "#".repeat(done) + ".".repeat(BAR - done) + "] " + counts;
            // Carriage return and redraw; blanks wipe what a longer previous line left behind.
            err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
            drawnWidth = line.length();
            err.flush();
        } else if (!counts.equals(shown)) {
            err.println(target + ": " + counts);
            err.flush();
        }
        shown = counts;
    }

    /** {@code (127.0.0.1:9901 3, 127.0.0.1:9902 9 not draining, 127.0.0.1:9903 unreachable)}. */
    private String perNode(BackendView here, List<FleetNodes.Count> others) {
        List<String> parts = new ArrayList<>(others.size() + 1);
        parts.add(new FleetNodes.Count(FleetNodes.label(command.client()), here, null).text());
        others.forEach(c -> parts.add(c.text()));
        return "(" + String.join(", ", parts) + ")";
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
