package io.sluice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.duration.Durations;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluicectl drain POOL/BACKEND [--deadline D] [--close-rate R] [--wait [--wait-timeout D] [--fleet URL,...]]}:
 * no new connections to the backend; with {@code --wait}, watch its connections go to zero on this
 * node and on every node named by {@code --fleet} (or {@code SLUICE_FLEET}).
 */
@Command(name = "drain", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = {
        "Stop new connections to a backend; existing ones continue.",
        "With --deadline, those still open then are closed at the close rate. With --wait, show the"
                + " connections going to zero, on every node named by --fleet too: exit 0 when none are left"
                + " (after the deadline too, as the daemons close the rest), 1 if --wait-timeout passes first."})
final class DrainCommand extends BackendAction {

    @Option(names = "--deadline", paramLabel = "DURATION",
            description = "Close the connections still open after this long, e.g. 10m"
                    + " (default: the pool's drain.deadline; none: wait for them however long they take).")
    String deadline;

    @Option(names = "--close-rate", paramLabel = "RATE", converter = CloseRate.class,
            description = "Connections closed per second once the deadline passes: 100 or 100/s, 1..100000"
                    + " (default: the pool's drain.close-rate).")
    Integer closeRate;

    @Option(names = "--reason", paramLabel = "TEXT",
            description = "Why: shown beside the drain in backends, explain and the status page, and kept with it (one line, at most 200 characters).")
    String reason;

    @Option(names = "--wait", description = "Wait until the backend has no connections left, showing progress on stderr.")
    boolean await;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", converter = HumanDurations.Converter.class,
            description = "With --wait: give up (exit 1) after this long; the backend stays drained (default: no limit).")
    Duration waitTimeout;

    @Option(names = "--fleet", paramLabel = "URL", split = ",",
            description = "With --wait: the admin addresses of the other nodes sharing the drain through the state"
                    + " store, whose connections count too (default: $SLUICE_FLEET, comma-separated).")
    List<String> fleet;

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
        if (fleet != null && !await) {
            throw new CliException(ExitCodes.USAGE, "--fleet only makes sense with --wait");
        }
        // The fleet's addresses are checked before the drain is sent: a typo must not leave a drain unwatched.
        FleetNodes nodes = await ? FleetNodes.of(fleetAddresses(), client(), options().timeout()) : null;
        ObjectNode body = null;
        if (deadline != null || closeRate != null || reason != null) {
            body = AdminClient.JSON.createObjectNode();
            if (reason != null) {
                body.put("reason", reason);
            }
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
        int watched = new DrainWatch(this, target, waitTimeout, nodes).watch(a.backend());
        return watched == ExitCodes.OK ? code : watched;
    }

    /** --fleet, else SLUICE_FLEET (comma-separated), else none. */
    private List<String> fleetAddresses() {
        if (fleet != null) {
            return fleet;
        }
        String env = context().env("SLUICE_FLEET");
        return env == null ? List.of() : List.of(env.split(","));
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
