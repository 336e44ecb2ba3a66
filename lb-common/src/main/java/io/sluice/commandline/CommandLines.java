package io.sluice.commandline;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The conventions the three command lines share. Called on the thread that builds the command line,
 * before {@code execute}; holds no state.
 */
public final class CommandLines {

    private CommandLines() {}

    /**
     * Bad arguments as one line, {@code <root>: <message>}, a "did you mean" when Picocli has one, and a
     * hint to the failing command's {@code --help}; never the whole usage text (which buries the
     * message). Exit code: the command's invalid-input code (2).
     *
     * @return {@code cl}, for chaining
     */
    public static CommandLine withShortUsageErrors(CommandLine cl) {
        cl.setParameterExceptionHandler(CommandLines::report);
        return cl;
    }

    private static int report(ParameterException e, String[] args) {
        CommandLine failing = e.getCommandLine();
        CommandSpec spec = failing.getCommandSpec();
        PrintWriter err = failing.getErr();
        String root = spec.root().name();
        err.println(root + ": " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + spec.qualifiedName() + " --help' for more information.");
        err.flush();
        return spec.exitCodeOnInvalidInput();
    }
}
