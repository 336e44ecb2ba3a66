package io.sluice.command;

import io.sluice.config.SluiceConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice check --config FILE}: validates a config without binding anything, like
 * {@code haproxy -c}. Exit 0 and a one-line summary, or exit 2 and every error found.
 */
@Command(name = "check", description = "Validate a config file without starting anything.")
final class CheckCommand implements Callable<Integer> {

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
        spec.commandLine().getOut().println("Configuration " + config.file + " is valid: " + loaded.summary());
        return 0;
    }
}
