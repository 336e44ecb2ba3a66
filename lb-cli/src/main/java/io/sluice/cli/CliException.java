package io.sluice.cli;

import java.util.List;

/**
 * A failure the user should read, never as a stack trace: each line is printed as
 * {@code sluicectl: <line>} on stderr and the command exits with {@link #exitCode()}.
 */
final class CliException extends RuntimeException {
    private final int exitCode;
    private final List<String> lines;

    CliException(int exitCode, String message) {
        this(exitCode, List.of(message));
    }

    CliException(int exitCode, List<String> lines) {
        super(String.join("; ", lines), null, false, false);
        this.exitCode = exitCode;
        this.lines = List.copyOf(lines);
    }

    int exitCode() {
        return exitCode;
    }

    List<String> lines() {
        return lines;
    }
}
