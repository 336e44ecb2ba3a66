package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a call loads, in a JVM of its own ({@code -Xlog:class+load}): the measure of start-up work that
 * does not depend on how busy the machine is (bench/cli-startup.sh measures the time). A call builds
 * the Picocli model of its own command only (another command's option converters are never loaded),
 * and {@code --version} touches neither the HTTP client nor Jackson.
 */
class ClassesPerCallTest extends AgainstFixture {

    /** The classes one call loaded, by name, and its exit code and output. */
    private record Call(int exitCode, String out, Set<String> classes) {}

    private Call call(String... args) throws IOException, InterruptedException {
        Path log = dir.resolve("classes-" + System.nanoTime() + ".log");
        Path out = dir.resolve("out-" + System.nanoTime() + ".txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
                "io.sluice.cli.SluiceCtl"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("SLUICE_ADMIN", api.url());
        builder.environment().remove("SLUICE_TOKEN_FILE");
        Process p = builder.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "sluicectl finished");
        // "[0.012s][info][class,load] java.lang.Object source: shared objects file"
        Set<String> classes = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .map(line -> line.substring(line.indexOf("] ", line.indexOf("class,load")) + 2))
                .map(rest -> rest.substring(0, rest.indexOf(' ') < 0 ? rest.length() : rest.indexOf(' ')))
                .collect(Collectors.toSet());
        return new Call(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), classes);
    }

    private static Set<String> matching(Set<String> classes, String prefix) {
        return classes.stream().filter(c -> c.startsWith(prefix)).collect(Collectors.toSet());
    }

    @Test
    void versionLoadsNoHttpClientNoJacksonAndNoSubCommand() throws Exception {
        Call c = call("--version");
        assertEquals(0, c.exitCode(), c.out());
        assertTrue(c.out().startsWith("sluicectl "), c.out());
        assertTrue(c.classes().contains("io.sluice.cli.RootCommand"), "the log is read: " + c.classes().size() + " classes");
        assertEquals(Set.of(), matching(c.classes(), "com.fasterxml.jackson."));
        assertFalse(c.classes().contains("io.sluice.cli.AdminClient"));
        assertFalse(c.classes().contains("io.sluice.cli.StatusCommand"));
    }

    @Test
    void statusBuildsTheModelOfStatusAlone() throws Exception {
        Call c = call("status");
        assertEquals(0, c.exitCode(), c.out());
        assertTrue(c.out().contains("LISTENER"), c.out());
        assertTrue(c.classes().contains("io.sluice.cli.StatusCommand"), "the log is read: " + c.classes().size() + " classes");
        // Option converters of other commands: Picocli makes one for each option when it builds a command's model.
        assertFalse(c.classes().contains("io.sluice.cli.DrainCommand$CloseRate"));
        assertFalse(c.classes().contains("io.sluice.cli.BackendRef$Converter"));
    }
}
