package io.sluice.command;

import io.sluice.config.SluiceConfig;
import io.sluice.daemon.ShutdownSignals;
import io.sluice.daemon.SluiceDaemon;
import io.sluice.listener.Listener;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice run --config FILE}: runs the daemon in the foreground until SIGTERM or SIGINT,
 * then stops gracefully and exits 0. A second signal during the grace period closes the remaining
 * connections at once.
 */
@Command(name = "run", description = "Run the daemon in the foreground (stops gracefully on SIGTERM/SIGINT).")
final class RunCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ConfigOption config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        SluiceConfig loaded = config.loadOrReport(spec.commandLine().getErr());
        if (loaded == null) {
            return SluiceCommand.EXIT_USAGE;
        }
        return runUntilSignalled(loaded, spec.commandLine().getErr());
    }

    static int runUntilSignalled(SluiceConfig loaded, java.io.PrintWriter err) {
        ShutdownSignals signals = ShutdownSignals.install();
        SluiceDaemon daemon;
        try {
            daemon = SluiceDaemon.start(loaded);
        } catch (Listener.BindFailedException e) {
            err.println("sluice: " + e.getMessage());
            err.flush();
            return SluiceCommand.EXIT_USAGE;
        }
        SluiceDaemon running = daemon;
        signals.onReload(() -> {
            try {
                running.reloadFromFile();
            } catch (io.sluice.config.ConfigException e) {
                org.slf4j.LoggerFactory.getLogger(RunCommand.class).error(
                        "Reload rejected, the running configuration stays:\n{}", e.getMessage());
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(RunCommand.class).error("Reload failed: {}", e.toString());
            }
        });
        signals.awaitFirst();
        signals.onNext(daemon::abandonGrace);
        daemon.close();
        return 0;
    }
}
