package io.sluice.harness;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@code sluice} daemon as a real process for a test, like Armeria's {@code ServerExtension}: named
 * echo backends in pool {@code main}, listener {@code main} and the admin API on free loopback ports,
 * the config written as a file and run with {@code sluice run --config}; started when {@code /readyz}
 * says ready, killed afterwards.
 *
 * <pre>{@code
 * @RegisterExtension
 * final SluiceExtension daemon = SluiceExtension.builder().backend("a").backend("b").adminToken("s3cret").build();
 * }</pre>
 *
 * <p>On a static field it runs once for the class; on an instance field, once per test. Used without
 * JUnit, {@link #start()} and {@link #close()} do the same in a try-with-resources. The process runs
 * the classes of the test's own class path (see {@link DaemonProcess}), so the module using it needs
 * lb-core in test scope.
 *
 * <p>Thread ownership: started and stopped by the JUnit thread; the accessors may be called from
 * any thread while it runs.
 */
public final class SluiceExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, AutoCloseable {

    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private final List<String> backendNames;
    private final String balance;
    private final String adminToken;
    private final Consumer<ConfigText> configure;
    private final List<String> jvmOptions;

    private boolean perClass;
    private Path dir;
    private Path configFile;
    private Path tokenFile;
    private int port;
    private int adminPort;
    private final Map<String, TestBackend> backends = new LinkedHashMap<>();
    private DaemonProcess process;

    private SluiceExtension(Builder b) {
        this.backendNames = List.copyOf(b.backendNames);
        this.balance = b.balance;
        this.adminToken = b.adminToken;
        this.configure = b.configure;
        this.jvmOptions = List.copyOf(b.jvmOptions);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What to run. */
    public static final class Builder {
        private final List<String> backendNames = new ArrayList<>();
        private String balance = "round-robin";
        private String adminToken;
        private Consumer<ConfigText> configure = c -> { };
        private final List<String> jvmOptions = new ArrayList<>();

        private Builder() {}

        /** A backend of pool {@code main} that says {@code name} on connect and then echoes. */
        public Builder backend(String name) {
            backendNames.add(name);
            return this;
        }

        /** Pool {@code main}'s balance (default {@code round-robin}). */
        public Builder balance(String balance) {
            this.balance = balance;
            return this;
        }

        /** The admin token file's whole content (the daemon trims it); without one the API is read-only. */
        public Builder adminToken(String fileContent) {
            this.adminToken = fileContent;
            return this;
        }

        /** Anything more in the config (pool settings, a discovery section), after the defaults. */
        public Builder configure(Consumer<ConfigText> configure) {
            this.configure = configure;
            return this;
        }

        /** A JVM option of the daemon process, e.g. {@code -Dsluice.transport=nio}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        public SluiceExtension build() {
            return new SluiceExtension(this);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true; // only a static field's extension hears beforeAll
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            close();
        }
    }

    /** Starts the backends and the daemon and waits until {@code /readyz} answers 200; returns this. */
    public SluiceExtension start() throws IOException, InterruptedException {
        if (process != null) {
            throw new IllegalStateException("already running: " + process);
        }
        dir = Files.createTempDirectory("sluice-extension");
        port = Ports.freePort();
        adminPort = Ports.freePort();
        if (adminToken != null) {
            tokenFile = Files.writeString(dir.resolve("admin.token"), adminToken);
        }
        ConfigText config = ConfigText.create().listener("main", port, "main").pool("main", balance);
        for (String name : backendNames) {
            TestBackend b = TestBackend.namedEcho(name);
            backends.put(name, b);
            config.backend("main", b);
        }
        config.admin(adminPort, tokenFile);
        configure.accept(config);
        configFile = config.writeTo(dir.resolve("sluice.yaml"));
        DaemonProcess.Launch launch = DaemonProcess.launch().adminPort(adminPort);
        jvmOptions.forEach(launch::jvmOption);
        process = launch.start(dir, "run", "--config", configFile.toString());
        try {
            await().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(50)).until(this::ready);
        } catch (RuntimeException | Error e) {
            String output = process.output();
            close();
            throw new AssertionError("sluice did not become ready within " + READY_WITHIN + ":\n" + output, e);
        }
        return this;
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new AssertionError("sluice exited with " + process.process().exitValue());
        }
        try {
            process.adminText("/readyz");
            return true;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Listener {@code main}'s address. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** {@code http://127.0.0.1:<admin port>}. */
    public String adminUrl() {
        return "http://127.0.0.1:" + adminPort;
    }

    public int adminPort() {
        return adminPort;
    }

    /** The admin token file, or null when built without {@link Builder#adminToken}. */
    public Path tokenFile() {
        return tokenFile;
    }

    /** The config file the daemon runs from (a reload reads it again). */
    public Path configFile() {
        return configFile;
    }

    /** The backend {@code name} of pool {@code main}. */
    public TestBackend backend(String name) {
        TestBackend b = backends.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no backend " + name + "; there are " + backends.keySet());
        }
        return b;
    }

    /** The daemon process (its pid, output, signals). */
    public DaemonProcess process() {
        return process;
    }

    /** {@code GET path} of the admin API as JSON; a non-200 answer is an IOException. */
    public JsonNode adminJson(String path) throws IOException, InterruptedException {
        return process.adminJson(path);
    }

    /** Kills the daemon, stops the backends, removes the temporary directory. Safe twice. */
    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.close();
            process = null;
        }
        backends.values().forEach(TestBackend::close);
        backends.clear();
        if (dir != null) {
            deleteTree(dir);
            dir = null;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return process == null ? "sluice (not running)" : process.toString();
    }
}
