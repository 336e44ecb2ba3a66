package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.CommandRun;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --help} and {@code --version} on every command of the model (walked, so a new command is
 * covered without a new test), and bad values as one {@code sluicectl:} line plus a hint, not the usage.
 */
class HelpAndUsageErrorsTest {

    @Test
    void everyCommandHasHelpAndVersion() {
        List<List<String>> commands = CommandRun.everyCommand(
                SluiceCtl.commandLine(new CliContext(Map.of(), false, false, Clock.systemUTC(), CliContext.DEFAULT_POLL_INTERVAL)));
        assertTrue(commands.size() >= 14, commands::toString);
        for (List<String> words : commands) {
            List<String> help = new ArrayList<>(words);
            help.add("--help");
            Cli.Result h = new Cli().run(help.toArray(String[]::new));
            assertEquals(0, h.exitCode(), () -> words + ": " + h);
            assertTrue(h.out().startsWith("Usage: sluicectl " + String.join(" ", words)), () -> words + ": " + h);
            assertEquals("", h.err(), () -> words + ": " + h);

            List<String> version = new ArrayList<>(words);
            version.add("--version");
            Cli.Result v = new Cli().run(version.toArray(String[]::new));
            assertEquals(0, v.exitCode(), () -> words + ": " + v);
            assertTrue(v.out().startsWith("sluicectl "), () -> words + ": " + v);
        }
    }

    @Test
    void aBadValueIsOneLineAndAHintNotTheUsage() {
        Cli.Result r = new Cli().run("drain", "chat/app-1", "--close-rate", "fast");
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals("sluicectl: Invalid value for option '--close-rate': 'fast' is not a close rate"
                + " (expected connections per second, 1..100000: 100 or 100/s)\n"
                + "Try 'sluicectl drain --help' for more information.\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void aBadDurationNamesTheOption() {
        Cli.Result r = new Cli().run("--timeout", "5", "pools");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("sluicectl: Invalid value for option '--timeout': "), r::toString);
        assertTrue(r.err().endsWith("Try 'sluicectl --help' for more information.\n"), r::toString);
        assertFalse(r.err().contains("Usage:"), r::toString);
    }

    @Test
    void anUnknownCommandSuggestsTheNearOnes() {
        Cli.Result r = new Cli().run("drian");
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals("sluicectl: Unmatched argument at index 0: 'drian'\n"
                + "Did you mean: sluicectl drain or sluicectl undrain?\n"
                + "Try 'sluicectl --help' for more information.\n", r.err());
    }

    @Test
    void aMissingArgumentIsOneLine() {
        Cli.Result r = new Cli().run("weight", "chat/app-1");
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(2, r.err().lines().count(), r::toString);
        assertTrue(r.err().startsWith("sluicectl: Missing required parameter"), r::toString);
    }
}
