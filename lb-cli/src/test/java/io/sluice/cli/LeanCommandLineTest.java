package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.harness.CommandRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code main} builds the root with only the sub-command the arguments name
 * ({@link SluiceCtl#commandLine(CliContext, String[])}); these tests hold it to answering exactly as the
 * whole command line does, and to taking the whole one whenever the answer could differ.
 */
class LeanCommandLineTest {

    private static final CliContext CONTEXT = new CliContext(Map.of("SLUICE_ADMIN", "http://127.0.0.1:1"), false, false,
            Clock.systemUTC(), CliContext.DEFAULT_POLL_INTERVAL);

    private record Answer(int exitCode, String out, String err) {}

    private static Answer run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Answer(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void helpVersionAndBadOptionsOfEveryCommandReadAsFromTheWholeCommandLine() {
        List<List<String>> commands = CommandRun.everyCommand(SluiceCtl.commandLine(CONTEXT));
        int lean = 0;
        for (List<String> words : commands) {
            for (List<String> tail : List.of(List.of("--help"), List.of("--version"), List.of("--no-such-option"),
                    List.of("-o", "yaml"))) {
                List<String> argv = new ArrayList<>(words);
                argv.addAll(tail);
                String[] args = argv.toArray(String[]::new);
                Answer whole = run(SluiceCtl.commandLine(CONTEXT), args);
                CommandLine chosen = SluiceCtl.commandLine(CONTEXT, args);
                lean += chosen.getSubcommands().size() == 1 ? 1 : 0;
                assertEquals(whole, run(chosen, args), argv::toString);
            }
        }
        // Every command but generate-completion (which reads the whole model) runs lean.
        assertEquals(4 * (commands.size() - 1), lean);
    }

    @Test
    void theRootsOptionsBeforeTheCommandAnswerAsFromTheWholeCommandLine() {
        for (String[] args : List.of(new String[] {"--timeout", "5", "pools"}, new String[] {"--timeout=1x", "status"},
                new String[] {"-o", "yaml", "status"}, new String[] {"--output=yaml", "backends", "chat"},
                new String[] {"--version"}, new String[] {"-V", "--version"})) {
            assertEquals(run(SluiceCtl.commandLine(CONTEXT), args), run(SluiceCtl.commandLine(CONTEXT, args), args), String.join(" ", args));
        }
    }

    @Test
    void theCommandIsFoundAfterTheRootsOptions() {
        assertEquals(StatusCommand.class, SluiceCtl.soleCommand(new String[] {"status"}));
        assertEquals(BackendsCommand.class, SluiceCtl.soleCommand(new String[] {"--admin", "h:1", "-o", "json", "--timeout", "2s",
                "--token-file", "t", "--output", "table", "backends", "chat"}));
        assertEquals(DrainCommand.class, SluiceCtl.soleCommand(new String[] {"--admin=http://h:1", "drain", "chat/app-1", "--help"}));
        assertEquals(DirectCommand.class, SluiceCtl.soleCommand(new String[] {"direct", "flows"}));
        assertEquals(CompleteCommand.class, SluiceCtl.soleCommand(new String[] {"__complete", "pools"}));
        assertEquals(RootCommand.class, SluiceCtl.soleCommand(new String[] {"--version"}));
        assertEquals(Set.of("status"), SluiceCtl.commandLine(CONTEXT, new String[] {"status"}).getSubcommands().keySet());
        assertEquals(Set.of(), SluiceCtl.commandLine(CONTEXT, new String[] {"-V"}).getSubcommands().keySet());
    }

    @Test
    void rootHelpAMissingOrUnknownCommandAndCompletionTakeTheWholeModel() {
        for (String[] args : List.of(new String[] {}, new String[] {"--help"}, new String[] {"-h", "status"},
                new String[] {"--admin", "h:1"}, new String[] {"drian"}, new String[] {"generate-completion"},
                new String[] {"--", "status"}, new String[] {"--bogus", "status"}, new String[] {"-V", "status"},
                new String[] {"--version", "--help"})) {
            assertNull(SluiceCtl.soleCommand(args), String.join(" ", args));
        }
    }
}
