package io.sluice.cli;

import java.io.PrintWriter;
import io.sluice.commandline.CommandLines;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ScopeType;

/**
 * {@code sluicectl}: the admin client of a running Sluice daemon, over its HTTP admin API
 * (docs/admin-api.md; usage in docs/sluicectl.md). Each sub-command is a small
 * {@code Callable<Integer>} returning its exit code ({@link ExitCodes}); failures are printed as
 * {@code sluicectl: <message>}, never as a stack trace.
 */
@Command(
        name = "sluicectl",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = SluiceCtl.Version.class,
        description = "Admin client of the Sluice load balancer: inspect pools and backends, drain, reload, upgrade.",
        subcommands = {
            StatusCommand.class,
            PoolsCommand.class,
            BackendsCommand.class,
            DrainCommand.class,
            UndrainCommand.class,
            MaintCommand.class,
            ReadyCommand.class,
            WeightCommand.class,
            ConnectionsCommand.class,
            ExplainCommand.class,
            StickTableCommand.class,
            DirectCommand.class,
            ReloadCommand.class,
            UpgradeCommand.class,
            CompletionCommand.class,
            CompleteCommand.class,
        },
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  ok",
            "  1  operation failed (drain --wait timed out, reload rejected, upgrade failed, server error)",
            "  2  usage error or bad argument",
            "  3  admin API unreachable",
            "  4  no admin token, or the token was refused",
            "  5  not found (unknown pool, backend or listener)",
            "  6  applied on this node only: the shared state store has not got it (yet)",
            "  7  the admin API accepted the request but did not answer within --timeout",
            "",
            "Environment: SLUICE_ADMIN (admin URL), SLUICE_TOKEN_FILE (token file), NO_COLOR (plain tables).",
        })
public final class SluiceCtl implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin(name = AdminOptions.MIXIN_NAME)
    AdminOptions adminOptions;

    private final CliContext context;

    SluiceCtl(CliContext context) {
        this.context = context;
    }

    /** For tools that build the command from its class (the man page generator in the build). */
    private SluiceCtl() {
        this(CliContext.system());
    }

    CliContext context() {
        return context;
    }

    /** Without a command: the usage on stderr, exit 2. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("sluicectl: missing command");
        spec.commandLine().usage(err);
        return ExitCodes.USAGE;
    }

    public static void main(String[] args) {
        System.exit(commandLine(CliContext.system()).execute(args));
    }

    /** The configured command line; tests call this with their own context and writers. */
    static CommandLine commandLine(CliContext context) {
        CommandLine cl = new CommandLine(new SluiceCtl(context));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(SluiceCtl::handle);
        CommandLines.withShortUsageErrors(cl);
        return cl;
    }

    /** Every failure ends here: {@code sluicectl: <line>} for each line, the exception's exit code. */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof CliException failure) {
            failure.lines().forEach(line -> err.println("sluicectl: " + line));
            err.flush();
            return failure.exitCode();
        }
        err.println("sluicectl: unexpected error: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
        err.flush();
        return ExitCodes.FAILED;
    }

    /** Reads the version from the jar manifest, so it is set in one place (the pom). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SluiceCtl.class.getPackage().getImplementationVersion();
            return new String[] {"sluicectl " + (v == null ? "development build" : v)};
        }
    }
}
