package io.sluice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice-agent}: {@code check} with the loader {@code run} uses, {@code --help} and
 * {@code --version} on every sub-command, and bad arguments as one line plus a hint.
 */
class AgentCommandLineTest {

    @TempDir
    Path dir;

    static CommandRun run(String... args) {
        return CommandRun.of(SluiceAgent.commandLine(), args);
    }

    @Test
    void checkAcceptsTheShippedConfig() {
        CommandRun r = run("check", "../conf/agent.yaml");
        assertEquals(0, r.exit(), r::toString);
        assertEquals("Configuration ../conf/agent.yaml is valid: registry consul, 1 service (chat)\n", r.out());
        assertEquals(0, run("check", "--config", "../conf/agent.yaml").exit());
    }

    @Test
    void checkReportsEveryErrorWithLineAndKey() throws Exception {
        Path f = Files.writeString(dir.resolve("agent.yaml"), """
                registry: consull
                services:
                  - name: chat
                    port: 99999
                """);
        CommandRun r = run("check", f.toString());
        assertEquals(2, r.exit(), r::toString);
        assertEquals("sluice-agent: " + f + ":1: registry: 'consull' (expected consul or zookeeper) (did you mean 'consul'?)\n"
                + "sluice-agent: " + f + ":4: services[0].port: 99999 (expected 1..65535)\n"
                + "sluice-agent: configuration " + f + " rejected\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void everySubcommandHasHelpAndVersion() {
        List<List<String>> commands = CommandRun.everyCommand(SluiceAgent.commandLine());
        assertTrue(commands.containsAll(List.of(List.of("run"), List.of("check"), List.of("drain"), List.of("ready"))),
                commands::toString);
        for (List<String> words : commands) {
            List<String> help = new ArrayList<>(words);
            help.add("--help");
            CommandRun h = run(help.toArray(String[]::new));
            assertEquals(0, h.exit(), () -> words + ": " + h);
            assertTrue(h.out().startsWith("Usage: sluice-agent " + String.join(" ", words)), () -> words + ": " + h);
            List<String> version = new ArrayList<>(words);
            version.add("--version");
            CommandRun v = run(version.toArray(String[]::new));
            assertEquals(0, v.exit(), () -> words + ": " + v);
            assertTrue(v.out().startsWith("sluice-agent "), () -> words + ": " + v);
        }
    }

    @Test
    void anUnknownOptionIsOneLineAndAHint() {
        CommandRun r = run("drain", "--reasn", "deploy");
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().startsWith("sluice-agent: Unknown options: '--reasn', 'deploy'\n")
                || r.err().startsWith("sluice-agent: Unknown option: '--reasn'\n"), r::toString);
        assertTrue(r.err().endsWith("Try 'sluice-agent drain --help' for more information.\n"), r::toString);
    }
}
