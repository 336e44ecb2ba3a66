package io.sluice.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ScopeType;

/**
 * {@code sluicectl} without its sub-commands: the name, the shared options, help, version and the
 * usage footer. {@link SluiceCtl} adds the sub-commands; a call that needs only one of them gets this
 * root with just that one ({@link SluiceCtl#commandLine(CliContext, String[])}), so the JVM does not
 * build the Picocli model of sixteen commands to run one (bench/cli-startup.sh). Runs on the main thread.
 */
@Command(
        name = "sluicectl",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = SluiceCtl.Version.class,
        description = "Admin client of the Sluice load balancer: inspect pools and backends, drain, reload, upgrade.",
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
class RootCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin(name = AdminOptions.MIXIN_NAME)
    AdminOptions adminOptions;

    private final CliContext context;

    RootCommand(CliContext context) {
        this.context = context;
    }

    final CliContext context() {
        return context;
    }

    /** Without a command: the usage on stderr, exit 2. */
    @Override
    public final Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("sluicectl: missing command");
        spec.commandLine().usage(err);
        return ExitCodes.USAGE;
    }
}
