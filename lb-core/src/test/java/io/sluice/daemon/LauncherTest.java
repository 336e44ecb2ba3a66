package io.sluice.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped launcher ({@code conf/sluice}, what the systemd unit and the package run) starts the
 * JVM with the flags docs/performance.md measured. Run for real: the script, then the JVM it execs,
 * which prints its system properties or its final flags ({@code -XshowSettings:properties -version}
 * or {@code -XX:+PrintFlagsFinal -version} end the JVM before it would run the jar, an empty one
 * here, so no daemon starts; {@code run} as the command makes the launcher probe the JVM as a real
 * start does). Single-threaded: each test runs its own launcher process in its own directory.
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

    @Test
    void shenandoahsHeapStartsSmallAndIsGivenBackWhenIdle() throws Exception {
        assumeTrue(hasShenandoah(), "this JVM has no Shenandoah");
        String flags = jvmFlags("run", "shenandoah", "64m", "");
        // Round 4 (docs/performance.md): with -Xms = -Xmx the RSS stayed 1.37x the idle RSS a minute
        // after 9000 connections closed; these four flags bring it back within 3% in 40 s.
        assertHeap(16L << 20, 64L << 20, flags);
        assertEquals(10_000, flag(flags, "ShenandoahUncommitDelay"), flags);
        assertEquals(30_000, flag(flags, "ShenandoahGuaranteedGCInterval"), flags);
        assertEquals(10_000, flag(flags, "TrimNativeHeapInterval"), "this JDK 17 has the trimmer: " + flags);
    }

    @Test
    void aHeapSmallerThanTheFloorIsBothFloorAndCeiling() throws Exception {
        assumeTrue(hasShenandoah(), "this JVM has no Shenandoah");
        String flags = jvmFlags("run", "shenandoah", "8m", "");
        assertHeap(8L << 20, 8L << 20, flags);
    }

    @Test
    void g1KeepsItsHeapSizedOnce() throws Exception {
        String flags = jvmFlags("run", "g1", "64m", "");
        assertHeap(64L << 20, 64L << 20, flags);
        assertEquals(10_000, flag(flags, "TrimNativeHeapInterval"), flags);
    }

    @Test
    void anOperatorPresizesTheHeapWithSluiceJavaOpts() throws Exception {
        assumeTrue(hasShenandoah(), "this JVM has no Shenandoah");
        String flags = jvmFlags("run", "shenandoah", "64m", "-Xms64m");
        assertEquals(64L << 20, flag(flags, "InitialHeapSize"), flags);
    }

    /** The final flags (-XX:+PrintFlagsFinal) of the JVM the launcher starts for {@code command}. */
    private String jvmFlags(String command, String gc, String heap, String extra) throws IOException, InterruptedException {
        return launch(command, Map.of("SLUICE_GC", gc, "SLUICE_HEAP", heap),
                extra + " -XX:+PrintFlagsFinal -version");
    }

    /** The heap's floor (-Xms) and ceiling (-Xmx) the launcher gave the JVM, in bytes. */
    private static void assertHeap(long initial, long max, String flags) {
        assertEquals(initial, flag(flags, "InitialHeapSize"), flags);
        assertEquals(max, flag(flags, "MaxHeapSize"), flags);
    }

    /** A numeric flag's value in -XX:+PrintFlagsFinal output, or -1 when it is not there. */
    @Test
    void aLauncherStartedUnderNohupGivesTheJvmSighupBack() throws Exception {
        // A stand-in for java that prints which signals it was started with ignored, then exits.
        Path fakeJava = dir.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\nexec grep SigIgn /proc/self/status\n");
        assertTrue(fakeJava.toFile().setExecutable(true));
        assertEquals(1, ignored(List.of("nohup", fakeJava.toString())) & 1,
                "nohup ignores SIGHUP for what it starts (else this test proves nothing)");
        assumeTrue(new ProcessBuilder("env", "--default-signal=HUP", "true").start().waitFor() == 0,
                "this env cannot restore signals (coreutils before 8.31): the launcher cannot either");
        assertEquals(0, ignored(List.of("nohup", LAUNCHER.toString(), "version")) & 1,
                "the JVM the launcher starts handles SIGHUP (reload) even under nohup");
    }

    /** What every launcher run here gets: {@code jar} as the jar, no CDS archive, the probes' answers kept in the test's directory. */
    private void launcherEnvironment(ProcessBuilder pb, Path jar) {
        pb.environment().put("SLUICE_JAR", jar.toString());
        pb.environment().put("SLUICE_CDS", "off");
        pb.environment().put("SLUICE_CDS_DIR", dir.resolve("cache").toString());
    }

    /** The SigIgn mask of the process {@code command} ends in (the launcher's JAVA is the stand-in). */
    private long ignored(List<String> command) throws IOException, InterruptedException {
        Path jar = dir.resolve("sluice.jar");
        Files.write(jar, new byte[0]);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("sig.txt").toFile());
        pb.environment().put("JAVA", dir.resolve("java").toString());
        launcherEnvironment(pb, jar);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not finish within 60 s");
        String out = Files.readString(dir.resolve("sig.txt"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("SigIgn:\\s+([0-9a-f]+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1), 16);
    }

    private static long flag(String flags, String name) {
        Matcher m = Pattern.compile("\\s" + name + "\\s+:?=\\s+(\\d+)\\s").matcher(flags);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static boolean hasShenandoah() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("java", "-XX:+UseShenandoahGC", "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** The launcher's JVM's properties, with {@code extra} in SLUICE_JAVA_OPTS. */
    private String jvmSettings(String extra) throws IOException, InterruptedException {
        return launch("version", Map.of("SLUICE_HEAP", "64m"), "-XshowSettings:properties " + extra + " -version");
    }

    /**
     * Runs the launcher with {@code command} (never reached: {@code javaOpts} ends with -version) and
     * returns what the JVM printed. {@code run} makes the launcher probe the JVM as a real start does.
     */
    private String launch(String command, Map<String, String> env, String javaOpts)
            throws IOException, InterruptedException {
        Path jar = dir.resolve("sluice.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream empty = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            // an empty jar: the JVM reads its manifest, then -version ends it
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(LAUNCHER.toString(), command))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile());
        launcherEnvironment(pb, jar);
        pb.environment().putAll(env);
        pb.environment().put("SLUICE_JAVA_OPTS", javaOpts);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish within 60 s");
        String out = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
