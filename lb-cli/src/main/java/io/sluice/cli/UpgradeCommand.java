package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.HandoverView;
import io.sluice.adminapi.StatusView;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluicectl upgrade}: starts a new daemon with {@code run --takeover SOCKET}, which takes the
 * running daemon's listeners and connections over its handover socket (docs/handover.md), and waits
 * until the new daemon answers the admin API. The old daemon exits by itself once it holds no
 * connection; when anything fails before the takeover, it keeps serving.
 */
@Command(name = "upgrade", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = {
        "Replace the running daemon by a new process (a new version, or the same one with a re-read config)"
                + " without closing connections: the new daemon takes the listeners, connections, stick tables"
                + " and admin overrides over the handover socket.",
        "Exit 0 once the new daemon serves; 1 if it exits first or --wait-timeout passes (the old daemon"
                + " keeps serving; a new daemon still running is left running)."})
final class UpgradeCommand extends AdminCommand {
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(2);

    @Option(names = "--exec", paramLabel = "PATH", defaultValue = "sluice",
            description = "The new daemon's launcher, looked up on PATH without a slash"
                    + " (default: ${DEFAULT-VALUE}; installed as /usr/bin/sluice).")
    String exec;

    @Option(names = "--exec-arg", paramLabel = "ARG",
            description = "An argument for the launcher, before 'run'; repeat for several"
                    + " (--exec java --exec-arg=-jar --exec-arg /usr/share/sluice/sluice.jar).")
    List<String> execArgs = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE",
            description = "The new daemon's config (default: the running daemon's, from its status).")
    Path config;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Append the new daemon's stdout and stderr to FILE (default: sluicectl's own, the journal under systemd).")
    Path log;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", converter = HumanDurations.Converter.class,
            description = "Give up waiting for the takeover (and, with --wait-old, for the old daemon's exit) after this long (default: 2m).")
    Duration waitTimeout;

    @Option(names = "--wait-old", description = "After the takeover, also wait until the old daemon has exited.")
    boolean waitOld;

    @Override
    int run() {
        StatusView status = AdminClient.read(client().get("/status"), StatusView.class, "GET /status");
        Handover old = Handover.of(status);
        if (old.pid() < 0 || status.handover() == null) {
            throw new CliException(ExitCodes.FAILED, "the running daemon does not report a pid and handover state:"
                    + " it is older than handover support and cannot hand over; upgrade it once the old way"
                    + " (docs/operations.md, \"Upgrading side by side\")");
        }
        if (old.socket() == null) {
            throw new CliException(ExitCodes.FAILED, "the running daemon has no handover socket: set handover.socket"
                    + " in its config and restart it once");
        }
        if (!old.idle()) {
            throw new CliException(ExitCodes.FAILED, "the running daemon (pid " + old.pid() + ") is already in a handover"
                    + " (state: " + old.state() + "); wait for it to finish: sluicectl status");
        }
        // Absolute: the new daemon keeps it for its reloads and the next upgrade, whatever its working directory.
        String configFile = config != null ? config.toAbsolutePath().normalize().toString() : status.configFile();
        if (configFile == null) {
            throw new CliException(ExitCodes.FAILED, "the running daemon does not report its config file; pass --config FILE");
        }
        List<String> command = new ArrayList<>();
        command.add(exec);
        command.addAll(execArgs);
        command.addAll(List.of("run", "--config", configFile, "--takeover", old.socket()));

        Duration timeout = waitTimeout == null ? DEFAULT_WAIT : waitTimeout;
        Instant launched = context().clock().instant();
        NewDaemon daemon = NewDaemon.start(command, log);
        err().println("started the new daemon (pid " + daemon.pid() + "): " + String.join(" ", command));
        err().flush();
        TakeoverWatch watch = new TakeoverWatch(this, timeout);
        JsonNode taken = watch.awaitTakeover(old, daemon, launched);
        Handover now = Handover.of(AdminClient.read(taken, StatusView.class, "GET /status"));
        if (!now.last().done()) {
            if (json()) {
                printJson(taken);
            }
            throw new CliException(ExitCodes.FAILED, "the new daemon (pid " + now.pid() + ") serves, but its handover from pid "
                    + old.pid() + " ended " + now.last().outcome());
        }
        if (json()) {
            printJson(taken);
        } else {
            out().println(summary(old.pid(), now));
            out().flush();
        }
        if (waitOld) {
            watch.awaitExit(old.pid());
            (json() ? err() : out()).println("the old daemon (pid " + old.pid() + ") has exited");
            (json() ? err() : out()).flush();
        }
        return ExitCodes.OK;
    }

    /** {@code upgraded: pid 1200 -> 1234; 10000 connections handed over in 1.23 s (longest pause 85 ms), 0 refused}. */
    static String summary(long oldPid, Handover now) {
        HandoverView.Last last = now.last();
        return String.format(Locale.ROOT, "upgraded: pid %d -> %d; %d %s handed over in %.2f s (longest pause %d ms), %d refused%s",
                oldPid, now.pid(), last.connections(), last.connections() == 1 ? "connection" : "connections",
                last.durationMillis() / 1000.0, last.longestPauseMillis(), last.refused(),
                last.kept() > 0 ? ", " + last.kept() + " kept" : "");
    }
}
