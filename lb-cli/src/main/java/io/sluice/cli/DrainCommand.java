package io.sluice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.duration.Durations;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluicectl drain POOL/BACKEND [--deadline D] [--close-rate R] [--wait [--wait-timeout D]]}:
 * no new connections to the backend; with {@code --wait}, watch its connections go to zero.
 */
@Command(name = "drain", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = {
        "Stop new connections to a backend; existing ones continue.",
        "With --deadline, those still open then are closed at the close rate. With --wait, show the"
                + " connections going to zero: exit 0 when none are left, 1 if the deadline or --wait-timeout"
                + " passes first."})
final class DrainCommand extends BackendAction {

    @Option(names = "--deadline", paramLabel = "DURATION",
            description = "Close the connections still open after this long, e.g. 10m"
                    + " (default: the pool's drain.deadline; none: wait for them however long they take).")
    String deadline;

    @Option(names = "--close-rate", paramLabel = "RATE", converter = CloseRate.class,
            description = "Connections closed per second once the deadline passes: 100 or 100/s, 1..100000"
                    + " (default: the pool's drain.close-rate).")
    Integer closeRate;

    @Option(names = "--wait", description = "Wait until the backend has no connections left, showing progress on stderr.")
    boolean await;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", converter = HumanDurations.Converter.class,
            description = "With --wait: give up (exit 1) after this long; the backend stays drained (default: the drain deadline).")
    Duration waitTimeout;

    @Override
    int run() {
        if (deadline != null) {
            try {
                Durations.parseArgument(deadline);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, "--deadline: " + e.getMessage());
            }
        }
        if (waitTimeout != null && !await) {
            throw new CliException(ExitCodes.USAGE, "--wait-timeout only makes sense with --wait");
        }
        ObjectNode body = null;
        if (deadline != null || closeRate != null) {
            body = AdminClient.JSON.createObjectNode();
            if (deadline != null) {
                body.put("deadline", deadline.trim());
            }
            if (closeRate != null) {
                body.put("close_rate", closeRate);
            }
        }
        Answer a = post("drain", body);
        long active = a.backend().activeConnections();
        String due = a.backend().drainDeadline();
        int code = print(a, target + " is draining: " + active + (active == 1 ? " connection" : " connections") + " open"
                + (due == null ? ", no deadline"
                        : ", the rest closed from " + Views.clockTime(due, context().clock())
                                + " (" + Views.relative(due, context().clock().instant()) + ")"));
        if (!await) {
            return code;
        }
        int watched = new DrainWatch(this, target, waitTimeout).watch(a.backend());
        return watched == ExitCodes.OK ? code : watched;
    }

    /** {@code 100} or {@code 100/s} (connections per second, 1..100000), as in the config's {@code drain.close-rate}. */
    static final class CloseRate implements CommandLine.ITypeConverter<Integer> {
        private static final Pattern SYNTAX = Pattern.compile("(\\d{1,6})(/s)?");

        @Override
        public Integer convert(String value) {
            Matcher m = SYNTAX.matcher(value.trim());
            int n = m.matches() ? Integer.parseInt(m.group(1)) : -1;
            if (n < 1 || n > 100_000) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a close rate (expected connections per second, 1..100000: 100 or 100/s)");
            }
            return n;
        }
    }
}
