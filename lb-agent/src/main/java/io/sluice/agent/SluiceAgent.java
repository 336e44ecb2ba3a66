package io.sluice.agent;

import io.sluice.agent.direct.DirectBackendCommand;
import io.sluice.commandline.CommandLines;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * {@code sluice-agent}: registers an app server in Consul or ZooKeeper, keeps its health there, and
 * drains it on shutdown. Sub-commands: {@code run}, {@code drain}, {@code ready}; {@code direct-backend}
 * prepares the host as a direct-routing backend.
 *
 * <p>Exit codes: 0 done; 1 the registry could not be reached or refused; 2 bad command line or
 * configuration (the message names the file, line and key).
 */
@Command(
        name = "sluice-agent",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = SluiceAgent.Version.class,
        subcommands = {RunCommand.class, CheckCommand.class, MaintenanceCommand.Drain.class, MaintenanceCommand.Ready.class,
            DirectBackendCommand.class},
        description = "Registers this app server with the service registry Sluice reads, and drains it on shutdown.")
public final class SluiceAgent implements Callable<Integer> {

    /** Exit code: done. */
    public static final int OK = 0;
    /** Exit code: the registry could not be reached, or refused. */
    public static final int REGISTRY_FAILED = 1;
    /** Exit code: bad command line or configuration. */
    public static final int BAD_CONFIG = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return BAD_CONFIG;
    }

    /** The command line, with an exception handler that prints one line instead of a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SluiceAgent());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("sluice-agent: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            err.flush();
            return REGISTRY_FAILED;
        });
        return CommandLines.withShortUsageErrors(cl);
    }

    public static void main(String[] args) {
        int code;
        try {
            code = commandLine().execute(args);
        } catch (RuntimeException | Error e) { // an Error escapes picocli's handler: still one line, no trace
            System.err.println("sluice-agent: internal error: " + e);
            code = REGISTRY_FAILED;
        }
        System.exit(code);
    }

    /** The version from the jar manifest, set in one place (the pom); the build's version when run from its classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sluice-agent " + CommandLines.version(SluiceAgent.class)};
        }
    }
}
