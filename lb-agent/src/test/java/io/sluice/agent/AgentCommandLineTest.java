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

    @Test
    void everySubcommandHasHelpAndVersion() {
        List<String> names = new ArrayList<>(SluiceAgent.commandLine().getSubcommands().keySet());
        assertEquals(List.of("run", "check", "drain", "ready"), names);
        for (String name : names) {
            Result help = run(name, "--help");
            assertEquals(0, help.exit(), () -> name + ": " + help);
            assertTrue(help.out().startsWith("Usage: sluice-agent " + name), () -> name + ": " + help);
            Result version = run(name, "--version");
            assertEquals(0, version.exit(), () -> name + ": " + version);
            assertTrue(version.out().startsWith("sluice-agent "), () -> name + ": " + version);
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
