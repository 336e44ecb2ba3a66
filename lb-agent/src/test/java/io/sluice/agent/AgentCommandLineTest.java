package io.sluice.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice-agent}: {@code check} with the loader {@code run} uses, {@code --help} and
 * {@code --version} on every sub-command, and bad arguments as one line plus a hint.
 */
class AgentCommandLineTest {

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = SluiceAgent.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void checkAcceptsTheShippedConfig() {
        Result r = run("check", "../conf/agent.yaml");
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
        Result r = run("check", f.toString());
        assertEquals(2, r.exit(), r::toString);
        assertEquals("sluice-agent: " + f + ":1: registry: 'consull' (expected consul or zookeeper) (did you mean 'consul'?)\n"
                + "sluice-agent: " + f + ":4: services[0].port: 99999 (expected 1..65535)\n"
                + "sluice-agent: configuration " + f + " rejected\n", r.err());
        assertEquals("", r.out());
    }

    /** Every command below the root, as the words that run it, walked so a new one is covered too. */
    private static List<List<String>> everyCommand(CommandLine cl, List<String> prefix) {
        List<List<String>> out = new ArrayList<>();
        for (CommandLine sub : cl.getSubcommands().values()) {
            List<String> words = new ArrayList<>(prefix);
            words.add(sub.getCommandName());
            out.add(words);
            out.addAll(everyCommand(sub, words));
        }
        return out;
    }

    @Test
    void everySubcommandHasHelpAndVersion() {
        List<List<String>> commands = everyCommand(SluiceAgent.commandLine(), List.of());
        assertTrue(commands.containsAll(List.of(List.of("run"), List.of("check"), List.of("drain"), List.of("ready"))),
                commands::toString);
        for (List<String> words : commands) {
            List<String> help = new ArrayList<>(words);
            help.add("--help");
            Result h = run(help.toArray(String[]::new));
            assertEquals(0, h.exit(), () -> words + ": " + h);
            assertTrue(h.out().startsWith("Usage: sluice-agent " + String.join(" ", words)), () -> words + ": " + h);
            List<String> version = new ArrayList<>(words);
            version.add("--version");
            Result v = run(version.toArray(String[]::new));
            assertEquals(0, v.exit(), () -> words + ": " + v);
            assertTrue(v.out().startsWith("sluice-agent "), () -> words + ": " + v);
        }
    }

    @Test
    void anUnknownOptionIsOneLineAndAHint() {
        Result r = run("drain", "--reasn", "deploy");
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().startsWith("sluice-agent: Unknown options: '--reasn', 'deploy'\n")
                || r.err().startsWith("sluice-agent: Unknown option: '--reasn'\n"), r::toString);
        assertTrue(r.err().endsWith("Try 'sluice-agent drain --help' for more information.\n"), r::toString);
    }
}
