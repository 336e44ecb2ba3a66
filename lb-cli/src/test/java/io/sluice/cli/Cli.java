package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.fixture.AdminApiFixture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** Runs sluicectl in-process with a chosen environment and captures stdout, stderr and the exit code. */
final class Cli {
    private final Map<String, String> env = new HashMap<>();
    private boolean terminal;
    private Duration pollInterval = Duration.ofMillis(20);

    /** The result of one run. */
    record Result(int exitCode, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Talks to the fixture, with a valid token file in {@code dir}. */
    static Cli against(AdminApiFixture fixture, Path dir) throws IOException {
        Path token = dir.resolve("token");
        Files.writeString(token, "  " + AdminApiFixture.TOKEN + "\n");
        return new Cli().env("SLUICE_ADMIN", fixture.url()).env("SLUICE_TOKEN_FILE", token.toString());
    }

    Cli env(String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return this;
    }

    /** Pretend stdout and stderr are terminals (colour, progress bar redrawn in place). */
    Cli terminal(boolean terminal) {
        this.terminal = terminal;
        return this;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // The entry point main uses: the root with only the named sub-command when that suffices.
        CommandLine cl = SluiceCtl.commandLine(new CliContext(env, terminal, terminal, Clock.systemUTC(), pollInterval), args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
