package io.sluice.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped launcher ({@code conf/sluice}, what the systemd unit and the package run) starts the
 * JVM with the flags docs/performance.md measured. Run for real: the script, then the JVM it execs,
 * which prints its system properties ({@code -XshowSettings:properties -version} ends the JVM before
 * it would run the jar, an empty one here, so no daemon starts).
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("../conf/sluice").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void nettysLeakDetectorIsOffByDefault() throws Exception {
        assertTrue(jvmSettings("").contains("io.netty.leakDetection.level = disabled"),
                "Round 3 (docs/performance.md): the leak detector costs 4 to 5% of the event loop under keep-alive");
    }

    @Test
    void anOperatorTurnsTheLeakDetectorBackOnWithSluiceJavaOpts() throws Exception {
        String settings = jvmSettings("-Dio.netty.leakDetection.level=simple");
        assertTrue(settings.contains("io.netty.leakDetection.level = simple"), settings);
    }

    /** The launcher's JVM's properties, with {@code extra} in SLUICE_JAVA_OPTS. */
    private String jvmSettings(String extra) throws IOException, InterruptedException {
        Path jar = dir.resolve("sluice.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream empty = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            // an empty jar: the JVM reads its manifest, then -version ends it
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(LAUNCHER.toString(), "version"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().put("SLUICE_JAR", jar.toString());
        pb.environment().put("SLUICE_CDS", "off");
        pb.environment().put("SLUICE_HEAP", "64m");
        pb.environment().put("SLUICE_JAVA_OPTS", "-XshowSettings:properties " + extra + " -version");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish within 60 s");
        String out = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
