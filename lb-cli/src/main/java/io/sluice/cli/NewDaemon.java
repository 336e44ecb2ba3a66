package io.sluice.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * The daemon {@code upgrade} starts, as a child process that outlives {@code sluicectl}: nothing ties
 * it to this JVM. Its stdin is /dev/null, its stdout and stderr are this process's (the journal under
 * systemd) or appended to a log file, never a pipe that would close when {@code sluicectl} exits.
 * Nobody here destroys it: when the takeover fails or times out, the operator decides.
 */
final class NewDaemon {
    private final Process process;
    private final List<String> command;

    private NewDaemon(Process process, List<String> command) {
        this.process = process;
        this.command = command;
    }

    /**
     * @param command the launcher and its arguments; a launcher without a slash is looked up on PATH
     * @param log null to inherit stdout and stderr
     * @throws CliException exit 2 when the launcher or the log file cannot be used
     */
    static NewDaemon start(List<String> command, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (log == null) {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        } else {
            mark(log, command);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        }
        try {
            return new NewDaemon(builder.start(), List.copyOf(command));
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "cannot start the new daemon '" + command.get(0) + "': "
                    + why(e) + (command.get(0).contains("/") ? "" : " (looked up on PATH)")
                    + "; point --exec at the sluice launcher, e.g. /usr/bin/sluice");
        }
    }

    /** One line in the log before the daemon's own, so several upgrades appended to one file can be told apart. */
    private static void mark(Path log, List<String> command) {
        String line = "--- " + Instant.now() + " sluicectl upgrade: " + String.join(" ", command) + "\n";
        try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE)) {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "--log " + log + ": cannot append to it: " + why(e));
        }
    }

    long pid() {
        return process.pid();
    }

    List<String> command() {
        return command;
    }

    /** Its exit code once it has exited; empty while it runs. */
    OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /**
     * Whether the daemon with this pid is the one started here: the launcher itself (it {@code exec}s the
     * JVM, as conf/sluice does) or, for a launcher that forks instead, one of its descendants.
     */
    boolean is(long pid) {
        return pid == process.pid() || process.descendants().anyMatch(p -> p.pid() == pid);
    }

    /** "error=2, No such file or directory" reads better as "no such file or directory". */
    private static String why(IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int at = m.indexOf("error=");
        if (at >= 0) {
            int comma = m.indexOf(", ", at);
            return comma < 0 ? m.substring(at) : m.substring(comma + 2).toLowerCase(Locale.ROOT);
        }
        if (e instanceof NoSuchFileException) {
            return "no such directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return m;
    }
}
