package io.sluice.commandline;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
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

    /**
     * The version of the program {@code anchor} belongs to: its jar's {@code Implementation-Version} (set
     * once, in the pom), else, when it runs from a build's classes (tests, the man page generator), the
     * version of that build (a resource Maven filters); "development build" only when neither is there.
     */
    public static String version(Class<?> anchor) {
        String v = anchor.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in = CommandLines.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String built = p.getProperty("version", "");
                if (!built.isBlank() && !built.startsWith("${")) {
                    return built.trim();
                }
            }
        } catch (IOException e) {
            // Unreadable: the fallback below says as much.
        }
        return "development build";
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
