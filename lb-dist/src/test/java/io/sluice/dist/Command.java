package io.sluice.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One command run to its end, bounded in time, with its exit code and output (stdout and stderr
 * together). Immutable; used by one test thread.
 */
record Command(List<String> argv, int exit, String output) {

    /** Runs {@code argv} for at most {@code limit}; a command still running then is killed and fails. */
    static Command run(Duration limit, String... argv) throws IOException, InterruptedException {
        Path out = Files.createTempFile("sluice-dist-", ".out");
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", argv) + " did not finish within " + limit
                        + "; output so far:\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Command(List.of(argv), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** True when {@code name} is an executable on PATH. */
    static boolean exists(String name) throws IOException, InterruptedException {
        return run(Duration.ofSeconds(10), "sh", "-c", "command -v " + name).exit() == 0;
    }

    boolean ok() {
        return exit == 0;
    }

    @Override
    public String toString() {
        return String.join(" ", argv) + " -> exit " + exit + "\n" + output;
    }
}
