package io.sluice.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code sluice}: {@code --help} and {@code --version} on every sub-command of the model (so
 * {@code sluice demo --help} is not an unknown option, {@code sluice run --help} not a missing one),
 * and a bad argument as one {@code sluice:} line plus a hint, not the usage text.
 */
class CommandLineConventionsTest {

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = SluiceCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void everySubcommandHasHelpAndVersion() {
        List<String> names = new ArrayList<>(SluiceCommand.commandLine().getSubcommands().keySet());
        assertEquals(List.of("run", "check", "demo", "version"), names);
        for (String name : names) {
            Result help = run(name, "--help");
            assertEquals(0, help.exit(), () -> name + ": " + help);
            assertTrue(help.out().startsWith("Usage: sluice " + name), () -> name + ": " + help);
            assertEquals("", help.err(), () -> name + ": " + help);
            Result version = run(name, "--version");
            assertEquals(0, version.exit(), () -> name + ": " + version);
            assertTrue(version.out().startsWith("sluice "), () -> name + ": " + version);
        }
    }

    @Test
    void anUnknownOptionIsOneLineAndAHint() {
        Result r = run("demo", "--bogus");
        assertEquals(2, r.exit(), r::toString);
        assertEquals("sluice: Unknown option: '--bogus'\nTry 'sluice demo --help' for more information.\n", r.err());
        assertFalse(r.err().contains("Usage:"), r::toString);
    }

    @Test
    void aMissingOptionIsOneLineAndAHint() {
        Result r = run("run");
        assertEquals(2, r.exit(), r::toString);
        assertEquals("sluice: Missing required option: '--config=FILE'\n"
                + "Try 'sluice run --help' for more information.\n", r.err());
    }
}
