package io.sluice.cli;

import io.sluice.commandline.CommandLines;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluicectl}: the admin client of a running Sluice daemon, over its HTTP admin API
 * (docs/admin-api.md; usage in docs/sluicectl.md). Each sub-command is a small
 * {@code Callable<Integer>} returning its exit code ({@link ExitCodes}); failures are printed as
 * {@code sluicectl: <message>}, never as a stack trace. The root's name, options and footer are
 * {@link RootCommand}'s; this class adds the sub-commands, so its model (help, man pages, completion)
 * is the whole command.
 */
@Command(
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
        })
public final class SluiceCtl extends RootCommand {

    /** The root's options that take a value, which may stand before the command's name. */
    private static final Set<String> VALUED = Set.of("--admin", "--token-file", "-o", "--output", "--timeout");

    SluiceCtl(CliContext context) {
        super(context);
    }

    /** For tools that build the command from its class (the man page generator in the build). */
    private SluiceCtl() {
        this(CliContext.system());
    }

    public static void main(String[] args) {
        System.exit(commandLine(CliContext.system(), args).execute(args));
    }

    /** The whole command line, every sub-command in it; tests call this with their own context and writers. */
    static CommandLine commandLine(CliContext context) {
        return configure(new CommandLine(new SluiceCtl(context)));
    }

    /**
     * The command line that runs {@code args}: the root with only the sub-command they name (or none, for
     * {@code --version}), else the whole one. Building Picocli's model of every command was the largest
     * part of a call's start-up; the answer, help and errors are the same either way (LeanCommandLineTest).
     * Root help, a missing or unknown command, and {@code generate-completion} need the whole model.
     */
    static CommandLine commandLine(CliContext context, String[] args) {
        Class<?> only = soleCommand(args);
        if (only == null) {
            return commandLine(context);
        }
        CommandLine cl = new CommandLine(new RootCommand(context));
        if (only != RootCommand.class) {
            cl.addSubcommand(only);
        }
        return configure(cl);
    }

    private static CommandLine configure(CommandLine cl) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(SluiceCtl::handle);
        CommandLines.withShortUsageErrors(cl);
        return cl;
    }

    /**
     * The sub-command class that alone serves {@code args}; {@link RootCommand} itself for a bare
     * {@code --version}; null when the whole model is needed. Before the command's name only the root's
     * valued options are expected; anything else there (help, an unknown option, {@code --}) takes the
     * whole model, so its message is Picocli's as ever.
     */
    static Class<?> soleCommand(String[] args) {
        if (args.length > 0 && Arrays.stream(args).allMatch(a -> a.equals("-V") || a.equals("--version"))) {
            return RootCommand.class;
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (VALUED.contains(a)) {
                i++;
            } else if (a.startsWith("-")) {
                int eq = a.indexOf('=');
                if (eq < 0 || !VALUED.contains(a.substring(0, eq))) {
                    return null;
                }
            } else {
                return subcommandNamed(a);
            }
        }
        return null;
    }

    /** The class of the sub-command called {@code name}, read from the annotation above; null for none (or completion, which reads them all). */
    private static Class<?> subcommandNamed(String name) {
        for (Class<?> c : SluiceCtl.class.getAnnotation(Command.class).subcommands()) {
            Command command = c.getAnnotation(Command.class);
            if (command != null && command.name().equals(name)) {
                return c == CompletionCommand.class ? null : c;
            }
        }
        return null;
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

    /** The version from the jar manifest, set in one place (the pom); the build's version when run from its classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sluicectl " + CommandLines.version(SluiceCtl.class)};
        }
    }
}
