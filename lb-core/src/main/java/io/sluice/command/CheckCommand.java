package io.sluice.command;

import io.sluice.config.SluiceConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice check FILE} (or {@code --config FILE}, as {@code run} takes it): validates a config
 * without binding anything, like {@code haproxy -c}, and the files the daemon will need
 * ({@link NeededFiles}: the state file's directory, the admin token). Exit 0 and a one-line
 * summary, or exit 2 and every error found.
 */
@Command(name = "check", description = "Validate a config file without starting anything.")
final class CheckCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The YAML config file.")
    Path positional;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The YAML config file (the same as FILE).")
    Path option;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path file = file();
        SluiceConfig loaded = ConfigOption.loadOrReport(file, spec.commandLine().getErr());
        if (loaded == null) {
            return SluiceCommand.EXIT_USAGE;
        }
        NeededFiles.Findings files = NeededFiles.check(loaded);
        PrintWriter err = spec.commandLine().getErr();
        files.warnings().forEach(w -> err.println("warning: " + w));
        if (!files.errors().isEmpty()) {
            files.errors().forEach(err::println);
            int n = files.errors().size();
            err.println(n + (n == 1 ? " error" : " errors") + " found in the files the daemon needs (checked as this user,"
                    + " uid " + uid() + "); configuration rejected");
            err.flush();
            return SluiceCommand.EXIT_USAGE;
        }
        err.flush();
        spec.commandLine().getOut().println("Configuration " + file + " is valid: " + loaded.summary());
        return 0;
    }

    /** FILE or --config FILE: one of them, or both naming the same file. */
    private Path file() {
        if (positional == null && option == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no config file: give FILE or --config FILE");
        }
        if (positional != null && option != null && !positional.equals(option)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "two config files: " + positional + " and --config " + option + " (give one)");
        }
        return positional != null ? positional : option;
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return System.getProperty("user.name");
        }
    }
}
