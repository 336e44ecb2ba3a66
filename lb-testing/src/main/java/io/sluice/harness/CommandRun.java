package io.sluice.harness;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * One run of a Picocli program in-process, as its {@code main} runs it but with stdout and stderr
 * captured: its exit code and both outputs. Also walks a program's model, so a test of every command
 * covers a new one without being told.
 *
 * <p>Immutable; {@link #of} runs on the calling (test) thread.
 */
public record CommandRun(int exit, String out, String err) {

    /** Runs {@code commandLine} (a fresh one per run: Picocli keeps the options it parsed) with {@code args}. */
    public static CommandRun of(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new CommandRun(exit, out.toString(), err.toString());
    }

    /** Every command below {@code root}, as the words that run it ({@code [drain]}, ...); hidden ones too. */
    public static List<List<String>> everyCommand(CommandLine root) {
        return everyCommand(root, List.of());
    }

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
}
