package io.sluice.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped sluicectl launcher (lb-cli/src/main/dist/sluicectl) with the built jar: its first call
 * writes the class-data-sharing archive by the training run, which holds the classes of a status call
 * even when that first call was {@code --version}; a broken archive or a cache directory that cannot
 * be made never breaks a call. Each call is a real process, bounded in time.
 */
@Timeout(300)
class SluicectlLauncherIT {

    private static final Path LAUNCHER = Path.of("../lb-cli/src/main/dist/sluicectl").toAbsolutePath().normalize();
    private static final Path JAR = Path.of("../lb-cli/target/sluicectl.jar").toAbsolutePath().normalize();
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Result launch(Path cacheDir, String javaOpts, String... args) throws IOException, InterruptedException {
        assumeTrue(Files.isRegularFile(JAR), "no " + JAR + " (built in lb-cli's package phase)");
        List<String> argv = new ArrayList<>(List.of(LAUNCHER.toString()));
        argv.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder b = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
        b.environment().put("SLUICECTL_CDS_DIR", cacheDir.toString());
        b.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        b.environment().remove("SLUICECTL_JAR");
        if (javaOpts == null) {
            b.environment().remove("SLUICECTL_JAVA_OPTS");
        } else {
            b.environment().put("SLUICECTL_JAVA_OPTS", javaOpts);
        }
        Process p = b.start();
        if (!p.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(argv + " did not finish within " + LIMIT);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void theFirstCallWritesAnArchiveThatHoldsTheClassesOfAStatusCall() throws Exception {
        Path cache = dir.resolve("cache");
        Result first = launch(cache, null, "--version");
        assertEquals(0, first.exit(), first::toString);
        assertTrue(first.out().startsWith("sluicectl "), first::toString);
        assertEquals("", first.err());
        List<Path> written = files(cache);
        assertEquals(1, written.size(), written::toString);
        assertTrue(written.get(0).getFileName().toString().matches("sluicectl-[0-9-]+\\.jsa"), written::toString);

        // A status call (no daemon at that address: exit 3) maps its classes from the archive, though the
        // call that wrote it was --version.
        Result status = launch(cache, "-Xlog:class+load=info:stdout", "--admin", "http://127.0.0.1:1", "status");
        assertEquals(3, status.exit(), status::toString);
        for (String c : List.of("io.sluice.cli.StatusCommand", "io.sluice.cli.AdminClient",
                "com.fasterxml.jackson.databind.ObjectMapper", "sun.net.www.protocol.http.HttpURLConnection")) {
            assertTrue(status.out().lines().anyMatch(l -> l.contains(" " + c + " source: shared objects file")),
                    c + " is not from the archive:\n" + status.out());
        }
        assertEquals(written, files(cache), "no second archive");
    }

    @Test
    void aBrokenArchiveOnlyCostsItsSpeedUp() throws Exception {
        Path cache = dir.resolve("cache");
        assertEquals(0, launch(cache, null, "--version").exit());
        Path archive = files(cache).get(0);
        Files.write(archive, "not an archive".getBytes(StandardCharsets.US_ASCII));
        Result r = launch(cache, null, "--version");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("sluicectl "), r::toString);
        assertEquals("", r.err());
    }

    @Test
    void aCacheDirectoryThatCannotBeMadeOnlyCostsTheSpeedUp() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Result r = launch(file.resolve("cache"), null, "--version");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("sluicectl "), r::toString);
        assertEquals("", r.err());
    }
}
