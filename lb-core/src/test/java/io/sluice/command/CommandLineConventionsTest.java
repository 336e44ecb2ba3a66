package io.sluice.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.CommandRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice}: {@code --help} and {@code --version} on every sub-command of the model (so
 * {@code sluice demo --help} is not an unknown option, {@code sluice run --help} not a missing one),
 * and a bad argument as one {@code sluice:} line plus a hint, not the usage text.
 */
class CommandLineConventionsTest {

    static CommandRun run(String... args) {
        return CommandRun.of(SluiceCommand.commandLine(), args);
    }

    @Test
    void everySubcommandHasHelpAndVersion() {
        List<String> names = new ArrayList<>(SluiceCommand.commandLine().getSubcommands().keySet());
        assertEquals(List.of("run", "check", "demo", "version"), names);
        for (String name : names) {
            CommandRun help = run(name, "--help");
            assertEquals(0, help.exit(), () -> name + ": " + help);
            assertTrue(help.out().startsWith("Usage: sluice " + name), () -> name + ": " + help);
            assertEquals("", help.err(), () -> name + ": " + help);
            CommandRun version = run(name, "--version");
            assertEquals(0, version.exit(), () -> name + ": " + version);
            assertTrue(version.out().startsWith("sluice "), () -> name + ": " + version);
        }
    }

    @Test
    void anUnknownOptionIsOneLineAndAHint() {
        CommandRun r = run("demo", "--bogus");
        assertEquals(2, r.exit(), r::toString);
        assertEquals("sluice: Unknown option: '--bogus'\nTry 'sluice demo --help' for more information.\n", r.err());
        assertFalse(r.err().contains("Usage:"), r::toString);
    }

    @Test
    void aMissingOptionIsOneLineAndAHint() {
        CommandRun r = run("run");
        assertEquals(2, r.exit(), r::toString);
        assertEquals("sluice: Missing required option: '--config=FILE'\n"
                + "Try 'sluice run --help' for more information.\n", r.err());
    }
}
