package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.StatusView;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * {@code upgrade}'s wait: polls {@code GET /api/v1/status} until the new daemon answers it with an idle
 * handover it received, or the new daemon exits, or the wait times out; then, with {@code --wait-old},
 * until the old process is gone. Progress goes to stderr, one line per change of who answers and in
 * which state.
 */
final class TakeoverWatch {
    /** Often enough to see a takeover of a second or two; the drain watch's 500 ms would be coarse. */
    static final Duration POLL = Duration.ofMillis(200);

    private final AdminCommand command;
    private final PrintWriter err;
    private final Clock clock;
    private final Duration poll;
    private final Duration timeout;

    TakeoverWatch(AdminCommand command, Duration timeout) {
        this.command = command;
        this.err = command.err();
        this.clock = command.context().clock();
        // The context's interval is the drain watch's; tests shorten it, and then this follows.
        Duration context = command.context().pollInterval();
        this.poll = context.compareTo(POLL) < 0 ? context : POLL;
        this.timeout = timeout;
    }

    /**
     * @param old the status of the running daemon before the new one was started
     * @return the status the new daemon answered once it had taken over
     * @throws CliException exit 1 when the new daemon exits first or the time runs out (it is left running)
     */
    JsonNode awaitTakeover(Handover old, NewDaemon daemon, Instant launched) {
        Instant deadline = clock.instant().plus(timeout);
        String shown = null;
        JsonNode status = null;
        String unreachable = null;
        while (true) {
            try {
                status = command.client().get("/status");
                unreachable = null;
            } catch (CliException e) {
                // The admin listener moves from one process to the other: refusals are expected for a moment.
                if (e.exitCode() != ExitCodes.UNREACHABLE) {
                    throw e;
                }
                unreachable = e.lines().get(0);
            }
            Handover now = status == null || unreachable != null ? null
                    : Handover.of(AdminClient.read(status, StatusView.class, "GET /status"));
            if (now != null && daemon.is(now.pid()) && now.idle() && now.last() != null && now.last().received()) {
                return status;
            }
            String seen = now == null ? "admin API not answering (moving between processes)"
                    : "pid " + now.pid() + " answers, handover " + now.state();
            if (!seen.equals(shown)) {
                err.println(seen);
                err.flush();
                shown = seen;
            }
            OptionalInt exit = daemon.exitCode();
            if (exit.isPresent()) {
                List<String> lines = new ArrayList<>();
                lines.add("the new daemon (pid " + daemon.pid() + ") exited with code " + exit.getAsInt()
                        + " before taking over; the old daemon (pid " + old.pid() + ") keeps serving");
                String why = abortedSince(now, launched);
                if (why != null) {
                    lines.add("the old daemon says: " + why);
                }
                throw new CliException(ExitCodes.FAILED, lines);
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new CliException(ExitCodes.FAILED, List.of(
                        "the new daemon (pid " + daemon.pid() + ") has not taken over after " + HumanDurations.human(timeout)
                                + " (--wait-timeout); last seen: " + (unreachable != null ? unreachable : seen),
                        "it is still running: look at its output, then stop it (kill " + daemon.pid()
                                + ") or keep waiting with: sluicectl status"));
            }
            sleep("the new daemon to take over");
        }
    }

    /**
     * Polls for the process {@code pid} to be gone (the old daemon exits once it holds no connection).
     * It is not our child, so only its existence can be seen, not its exit code.
     */
    void awaitExit(long pid) {
        Instant deadline = clock.instant().plus(timeout);
        err.println("waiting for the old daemon (pid " + pid + ") to exit");
        err.flush();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (!clock.instant().isBefore(deadline)) {
                throw new CliException(ExitCodes.FAILED, "the old daemon (pid " + pid + ") is still running after "
                        + HumanDurations.human(timeout) + " (--wait-timeout): it exits once its last connection has closed;"
                        + " the new daemon serves meanwhile");
            }
            sleep("the old daemon to exit");
        }
    }

    /** The old daemon's reason when its last handover, started after the launch, was aborted. */
    private static String abortedSince(Handover now, Instant launched) {
        if (now == null || now.last() == null || now.last().done() || now.last().outcome() == null
                || now.last().startedAt() == null) {
            return null;
        }
        try {
            return Instant.parse(now.last().startedAt()).isBefore(launched) ? null : now.last().outcome();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private void sleep(String what) {
        try {
            Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILED, "interrupted while waiting for " + what);
        }
    }
}
