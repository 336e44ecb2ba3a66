package io.sluice.command;

import io.sluice.commandline.CommandLines;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * {@code sluice}: the daemon's command line ({@code run}, {@code check}, {@code demo},
 * {@code version}).
 *
 * <p>Exit codes: 0 success, 2 bad configuration, bad arguments or a listener that cannot be
 * bound, 1 anything unexpected. No path prints a stack trace: an unexpected exception is reported
 * in one line (its stack goes to the log at debug).
 */
@Command(
        name = "sluice",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = SluiceCommand.Version.class,
        description = "Sluice: a Layer-4 load balancer (TCP passthrough, sticky sessions).",
        subcommands = {RunCommand.class, CheckCommand.class, DemoCommand.class, VersionCommand.class})
public final class SluiceCommand implements Runnable {

    /** Bad config, bad arguments, unbindable listener. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and returns the process exit code. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line; tests use it with their own writers. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SluiceCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("sluice: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
            LoggerFactory.getLogger(SluiceCommand.class).debug("unexpected failure", ex);
            return 1;
        });
        return CommandLines.withShortUsageErrors(cl);
    }

    /** The version from the jar manifest, set once in the pom; the build's version when run from its classes (man pages). */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sluice " + versionString()};
        }

        static String versionString() {
            return CommandLines.version(SluiceCommand.class);
        }
    }
}
