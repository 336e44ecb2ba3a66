package io.sluice.command;

import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.daemon.ShutdownSignals;
import io.sluice.daemon.SluiceDaemon;
import io.sluice.daemon.SystemdNotify;
import io.sluice.handover.FailedStart;
import io.sluice.handover.Takeover;
import io.sluice.listener.Listener;
import io.sluice.yaml.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code sluice run --config FILE}: runs the daemon in the foreground until SIGTERM or SIGINT,
 * then stops gracefully and exits 0. A second signal during the grace period closes the remaining
 * connections at once.
 */
@Command(name = "run", description = "Run the daemon in the foreground (stops gracefully on SIGTERM/SIGINT).")
final class RunCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ConfigOption config;

    @CommandLine.Option(names = "--takeover", paramLabel = "SOCKET",
            description = "Take over the listeners, connections and state of the daemon whose handover socket this is "
                    + "(an upgrade without dropping connections; see docs/handover.md). It stops once it holds none.")
    Path takeover;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // Absolute from the start: reload re-reads it, status reports it and `sluicectl upgrade`
        // starts the next process with it, from whatever directory each of them runs in.
        config.file = config.file.toAbsolutePath().normalize();
        SluiceConfig loaded;
        try {
            loaded = ConfigLoader.load(config.file);
        } catch (ConfigException e) {
            ConfigOption.report(e, spec.commandLine().getErr());
            if (takeover != null) {
                // The running daemon keeps serving; its status should say why this one did not replace it.
                FailedStart.tell(takeover, e.errors().isEmpty() ? "configuration " + config.file + " rejected"
                        : e.errors().get(0) + (e.errors().size() > 1 ? " (and " + (e.errors().size() - 1) + " more)" : ""));
            }
            return SluiceCommand.EXIT_USAGE;
        }
        return runUntilSignalled(loaded, takeover, spec.commandLine().getErr());
    }

    static int runUntilSignalled(SluiceConfig loaded, PrintWriter err) {
        return runUntilSignalled(loaded, null, err);
    }

    /** Exit codes: 0 after a graceful stop (or a finished handover), 1 for a failed takeover, 2 for a bind error. */
    static int runUntilSignalled(SluiceConfig loaded, Path takeover, PrintWriter err) {
        ShutdownSignals signals = ShutdownSignals.install();
        // systemd (Type=notify): ready once listening; a daemon that takes over becomes the unit's main
        // process before the old one may exit. One that handed over says nothing more: STOPPING from
        // it would stop the unit.
        SystemdNotify systemd = SystemdNotify.fromEnvironment();
        long pid = ProcessHandle.current().pid();
        SluiceDaemon daemon;
        try {
            daemon = takeover == null ? SluiceDaemon.start(loaded)
                    : SluiceDaemon.takeOver(loaded, takeover, () -> systemd.mainPid(pid));
        } catch (Listener.BindFailedException e) {
            err.println("sluice: " + e.getMessage());
            err.flush();
            return SluiceCommand.EXIT_USAGE;
        } catch (Takeover.Failed e) {
            err.println("sluice: takeover failed: " + e.getMessage() + " (the running daemon keeps serving)");
            err.flush();
            return 1;
        }
        if (daemon.servesOnlyAdopted()) {
            // Not the unit's main process (the old one still is), and not ready: it only finishes
            // the connections it adopted before the takeover failed.
            daemon.whenNoConnectionsLeft(() -> signals.trigger("The connections adopted before the failed takeover ended"));
            signals.awaitFirst();
            signals.onNext(daemon::abandonGrace);
            daemon.close();
            err.println("sluice: takeover failed after adopting connections; they have ended (the running daemon keeps serving)");
            err.flush();
            return 1;
        }
        if (takeover == null) {
            systemd.ready();
        } else {
            systemd.readyWithMainPid(pid);
        }
        AtomicBoolean handedOver = new AtomicBoolean();
        daemon.onHandedOver(() -> {
            handedOver.set(true);
            signals.trigger("Handed over to the new process");
        });
        SluiceDaemon running = daemon;
        signals.onReload(() -> {
            try {
                running.reloadFromFile();
            } catch (ConfigException | RuntimeException e) {
                // Already logged by the daemon (the same line as a reload through the admin API).
                LoggerFactory.getLogger(RunCommand.class).debug("reload on SIGHUP", e);
            }
        });
        signals.awaitFirst();
        if (!handedOver.get()) {
            systemd.stopping();
        }
        signals.onNext(daemon::abandonGrace);
        daemon.close();
        systemd.close();
        return 0;
    }
}
