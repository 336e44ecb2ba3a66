package io.sluice.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The {@code sluice} command as a process of its own, its output (stdout and stderr together)
 * captured to a file in a test's directory.
 *
 * <p>By default it runs {@code java -cp <test class path without test-classes and lb-testing> io.sluice.Main},
 * so the daemon uses its own default logging rather than logback-test.xml and always runs the classes
 * just compiled: the module whose tests use it must have lb-core on its test class path. With {@code -Dsluice.test.jar=PATH} it runs {@code java -jar PATH} instead (the
 * shaded {@code lb-core/target/sluice.jar}; not the default because in a Maven build the tests run
 * before the jar is packaged, so it would be stale or missing).
 *
 * <p>{@link #close()} kills the process (SIGKILL) if it still runs, and waits for it, bounded.
 */
public final class DaemonProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final Process process;
    private final Path output;
    private final int adminPort;

    private DaemonProcess(Process process, Path output, int adminPort) {
        this.process = process;
        this.output = output;
        this.adminPort = adminPort;
    }

    /** {@code sluice args...} with its output in {@code dir}. */
    public static DaemonProcess start(Path dir, String... args) throws IOException {
        return launch().start(dir, args);
    }

    /** A launch with options (JVM system properties, an open-files limit, the admin port). */
    public static Launch launch() {
        return new Launch();
    }

    /** How to start one daemon process. */
    public static final class Launch {
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Dio.netty.leakDetection.level=PARANOID"));
        private int openFilesLimit;
        private int adminPort;
        private final List<String> prefix = new ArrayList<>();

        private Launch() {}

        /** Words run before the command, such as {@code ip netns exec NAME} (the direct-routing lab). */
        public Launch prefix(String... words) {
            prefix.addAll(List.of(words));
            return this;
        }

        /** A JVM option such as {@code -Dsluice.handover.test-batch-delay-ms=200}. */
        public Launch jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** Runs the daemon under bash's {@code ulimit -n limit}. */
        public Launch openFilesLimit(int limit) {
            this.openFilesLimit = limit;
            return this;
        }

        /** The admin port the config gives it, for {@link #status()}. */
        public Launch adminPort(int port) {
            this.adminPort = port;
            return this;
        }

        public DaemonProcess start(Path dir, String... args) throws IOException {
            List<String> command = command(args);
            if (openFilesLimit > 0) {
                StringBuilder shell = new StringBuilder("ulimit -n " + openFilesLimit + " && exec");
                for (String a : command) {
                    shell.append(" '").append(a.replace("'", "'\\''")).append('\'');
                }
                command = List.of("bash", "-c", shell.toString());
            }
            if (!prefix.isEmpty()) {
                List<String> prefixed = new ArrayList<>(prefix);
                prefixed.addAll(command);
                command = prefixed;
            }
            Path out = dir.resolve("sluice-" + System.nanoTime() + "-" + SEQUENCE.incrementAndGet() + ".log");
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            return new DaemonProcess(p, out, adminPort);
        }

        private List<String> command(String... args) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmOptions);
            String jar = System.getProperty("sluice.test.jar");
            if (jar != null && !jar.isBlank()) {
                cmd.addAll(List.of("-jar", jar));
            } else {
                cmd.addAll(List.of("-cp", withoutTestClasses(System.getProperty("java.class.path")), "io.sluice.Main"));
            }
            cmd.addAll(List.of(args));
            return cmd;
        }
    }

    /**
     * The test JVM's class path less the test classes and this fixtures module (which holds
     * logback-test.xml): what is left is the daemon's own classes and dependencies.
     */
    private static String withoutTestClasses(String classPath) {
        Path fixtures = fixturesLocation();
        return Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .filter(entry -> !Path.of(entry).toAbsolutePath().normalize().equals(fixtures))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Path fixturesLocation() {
        try {
            return Path.of(DaemonProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("where is lb-testing loaded from?", e);
        }
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process printed so far. */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits up to {@code limit} for the process to exit; its exit code, or null if it still runs. */
    public Integer awaitExit(Duration limit) throws InterruptedException {
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** SIGTERM: the daemon stops gracefully. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: the daemon dies at once, as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Sends {@code signal} (e.g. "HUP") with kill(1); true if kill exited 0. */
    public boolean signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        return kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0;
    }

    /** {@code GET /api/v1/status} on the admin port given at launch, as JSON (one try, 2 s). */
    public JsonNode status() throws IOException, InterruptedException {
        return adminJson("/api/v1/status");
    }

    /** {@code GET path} on the admin port given at launch, as JSON; IOException for a non-200. */
    public JsonNode adminJson(String path) throws IOException, InterruptedException {
        return JSON.readTree(adminText(path));
    }

    /** GET {@code path} of the admin API (e.g. /metrics), as text; a non-200 answer is an IOException. */
    public String adminText(String path) throws IOException, InterruptedException {
        if (adminPort <= 0) {
            throw new IllegalStateException("launched without adminPort(...)");
        }
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                        .timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** Writes {@code yaml} to {@code dir/name}. */
    public static Path writeConfig(Path dir, String name, String yaml) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        process.waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "sluice pid " + process.pid() + " (output " + output.getFileName() + ")";
    }
}
