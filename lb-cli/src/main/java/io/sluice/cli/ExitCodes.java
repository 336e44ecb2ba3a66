package io.sluice.cli;

/** The exit codes of {@code sluicectl}; docs/sluicectl.md lists them for scripts. */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The admin API answered but the operation failed (drain --wait timed out, reload rejected, 5xx). */
    public static final int FAILED = 1;
    /** Bad command line or argument (picocli's default for usage errors; also HTTP 400). */
    public static final int USAGE = 2;
    /** The admin API could not be reached (refused, timed out, bad address). */
    public static final int UNREACHABLE = 3;
    /** No usable admin token for a mutating command, or the token was refused (HTTP 401). */
    public static final int AUTH = 4;
    /** Unknown pool, backend or listener (HTTP 404). */
    public static final int NOT_FOUND = 5;
    /**
     * The change is in force on this node but not yet in the shared state store (unreachable): other
     * nodes do not have it; the node writes it when the store answers again.
     */
    public static final int NOT_SHARED = 6;
    /** The admin API accepted the connection but did not answer in time; a change may still have been applied. */
    public static final int NO_ANSWER = 7;

    private ExitCodes() {}
}
