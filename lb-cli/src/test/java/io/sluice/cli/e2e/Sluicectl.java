package io.sluice.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs sluicectl in-process, as {@code main} would but with a chosen environment, captured stdout
 * and stderr, and a short drain poll interval.
 *
 * <p>{@code SluiceCtl.commandLine(CliContext, String[])} and {@code CliContext} are package-private in
 * {@code io.sluice.cli}; these end-to-end tests live in their own package, so they reach them by
 * reflection (the same entry point {@code main} uses, with the context the unit tests use).
 */
final class Sluicectl {

    private final Map<String, String> env = new HashMap<>();
    private Duration pollInterval = Duration.ofMillis(50);

    record Result(int exitCode, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    Sluicectl env(String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return this;
    }

    Sluicectl pollInterval(Duration d) {
        this.pollInterval = d;
        return this;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = commandLine(args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private CommandLine commandLine(String[] args) {
        try {
            Class<?> contextType = Class.forName("io.sluice.cli.CliContext");
            Constructor<?> ctor = contextType.getDeclaredConstructor(Map.class, boolean.class, boolean.class, Clock.class,
                    Duration.class);
            ctor.setAccessible(true);
            Object context = ctor.newInstance(env, false, false, Clock.systemUTC(), pollInterval);
            Method m = Class.forName("io.sluice.cli.SluiceCtl").getDeclaredMethod("commandLine", contextType, String[].class);
            m.setAccessible(true);
            return (CommandLine) m.invoke(null, context, args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("sluicectl's entry point changed: " + e, e);
        }
    }
}
