package io.sluice.command;

import io.netty.channel.EventLoopGroup;
import io.sluice.config.BackendConfig;
import io.sluice.config.ConfigLoader;
import io.sluice.config.ListenerConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.config.StickyKeyType;
import io.sluice.daemon.ShutdownSignals;
import io.sluice.daemon.SluiceDaemon;
import io.sluice.demo.EchoBackend;
import io.sluice.listener.Listener;
import io.sluice.transport.Transport;
import io.sluice.yaml.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code sluice demo}: the daemon on conf/sluice.yaml (or the copy built into the jar) plus one
 * built-in echo backend per backend address in it, and instructions to see balancing and
 * stickiness. Nothing else needs to be installed.
 */
@Command(name = "demo", description = "Run the daemon on conf/sluice.yaml with built-in echo backends, and show what to try.")
final class DemoCommand implements Callable<Integer> {

    static final String EMBEDDED_CONFIG = "/io/sluice/conf/sluice.yaml";

    @CommandLine.Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config to use (default: conf/sluice.yaml if present, else the built-in copy).")
    Path file;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SluiceConfig config;
        DemoFiles files;
        try {
            Path source = source();
            // Checked as the operator's file first, so errors name it.
            SluiceConfig original = source != null ? ConfigLoader.load(source)
                    : ConfigLoader.parse(embedded(), "(built-in conf/sluice.yaml)");
            boolean needsToken = original.admin() != null && original.admin().tokenFile() == null;
            // A file that needs nothing added runs as it is (reload re-reads it; its relative paths hold);
            // the built-in config, or one whose admin API has no token, runs on a copy with a token.
            files = source != null && !needsToken ? DemoFiles.inPlace(source)
                    : DemoFiles.copy(source != null ? Files.readString(source) : embedded(), needsToken);
            config = ConfigLoader.load(files.config());
        } catch (ConfigException e) {
            ConfigOption.report(e, err);
            return SluiceCommand.EXIT_USAGE;
        }

        Transport transport = Transport.detect();
        EventLoopGroup group = transport.newEventLoopGroup(1, "demo-backend");
        List<EchoBackend> backends = new ArrayList<>();
        ShutdownSignals signals = ShutdownSignals.install();
        SluiceDaemon daemon = null;
        try {
            for (Map.Entry<InetSocketAddress, String> e : backendAddresses(config).entrySet()) {
                try {
                    backends.add(EchoBackend.start(e.getValue(), e.getKey(), transport, group));
                } catch (Exception bindFailure) {
                    err.println("sluice demo: cannot start echo backend " + e.getValue() + " on "
                            + e.getKey().getHostString() + ":" + e.getKey().getPort() + ": " + bindFailure.getMessage());
                    return SluiceCommand.EXIT_USAGE;
                }
            }
            try {
                daemon = SluiceDaemon.start(config);
            } catch (Listener.BindFailedException e) {
                err.println("sluice: " + e.getMessage());
                return SluiceCommand.EXIT_USAGE;
            }
            printInstructions(out, config, daemon, backends, files);
            SluiceDaemon running = daemon;
            signals.onReload(() -> {
                try {
                    running.reloadFromFile();
                } catch (ConfigException | RuntimeException e) {
                    // Already logged by the daemon.
                    LoggerFactory.getLogger(DemoCommand.class).debug("reload on SIGHUP", e);
                }
            });
            signals.awaitFirst();
            signals.onNext(daemon::abandonGrace);
            return 0;
        } finally {
            if (daemon != null) {
                daemon.close();
            }
            backends.forEach(EchoBackend::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            files.delete();
        }
    }

    /** --config, else conf/sluice.yaml if present, else null for the copy built into the jar. */
    private Path source() {
        if (file != null) {
            return file.toAbsolutePath().normalize();
        }
        Path local = Path.of("conf", "sluice.yaml");
        return Files.isRegularFile(local) ? local.toAbsolutePath().normalize() : null;
    }

    private static String embedded() throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream(EMBEDDED_CONFIG)) {
            if (in == null) {
                throw new IOException("the built-in demo config is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Where the demo's config and token are, and the exact commands that use them. */
    private static void printFiles(PrintWriter out, SluiceConfig config, SluiceDaemon daemon, DemoFiles files) {
        long pid = ProcessHandle.current().pid();
        out.println((files.temporary() ? "The demo runs on a copy of its config: " : "The demo runs on its config: ")
                + files.config());
        out.println("  Edit it, then reload: kill -HUP " + pid);
        if (daemon.adminAddress() != null) {
            String sluicectl = "java -jar lb-cli/target/sluicectl.jar --admin http://" + hostPort(daemon.adminAddress());
            Path token = config.admin() == null ? null : config.admin().tokenFile();
            if (token != null) {
                out.println((files.temporary() ? "Admin token for changes (mode 0600): " : "Admin token for changes: ") + token);
                sluicectl += " --token-file " + token;
            }
            String backend = config.pools().values().stream().filter(p -> !p.backends().isEmpty()).findFirst()
                    .map(p -> p.name() + "/" + p.backends().get(0).name()).orElse("POOL/BACKEND");
            out.println("  Drain a backend:  " + sluicectl + " drain " + backend);
            out.println("  Undrain it:       " + sluicectl + " undrain " + backend);
            out.println("  Reload:           " + sluicectl + " reload");
        }
        if (files.temporary()) {
            out.println("The demo's files (config, token, admin state) are in " + files.directory() + ", removed when it stops.");
        }
        out.println();
        out.flush();
    }

    /** One echo backend per distinct address, named after the first backend that uses it. */
    private static Map<InetSocketAddress, String> backendAddresses(SluiceConfig config) {
        Map<InetSocketAddress, String> byAddress = new LinkedHashMap<>();
        for (PoolConfig pool : config.pools().values()) {
            for (BackendConfig b : pool.backends()) {
                byAddress.putIfAbsent(b.address(), b.name());
            }
        }
        return byAddress;
    }

    private static void printInstructions(PrintWriter out, SluiceConfig config, SluiceDaemon daemon, List<EchoBackend> backends,
                                          DemoFiles files) {
        out.println();
        out.println("Sluice demo is running. Echo backends: "
                + String.join(", ", backends.stream().map(b -> b.name() + " on " + hostPort(b.address())).toList()));
        out.println();
        for (ListenerConfig l : config.listeners()) {
            InetSocketAddress a = daemon.boundAddress(l.name());
            String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
            if (l.tls() != null) {
                // Routed by SNI: the plain-text tries below would not be TLS, so only say where it leads.
                String defaultPool = l.tls().defaultPool() == null ? "none" : l.tls().defaultPool();
                out.printf("Listener %s (%s:%d) -> tls, routed by SNI: %d routes, default pool %s%n%n", l.name(),
                        host, a.getPort(), l.tls().routes().size(), defaultPool);
                continue;
            }
            PoolConfig pool = config.pools().get(l.pool());
            out.printf("Listener %s (%s:%d) -> pool %s, balance %s, sticky %s%n", l.name(), host, a.getPort(),
                    pool.name(), pool.balance().yamlName(), pool.sticky().key().yamlName());
            out.println("  Each connection prints the backend it reached:");
            out.printf("    for i in 1 2 3 4; do bash -c 'exec 3<>/dev/tcp/%s/%d; head -1 <&3'; done%n", host, a.getPort());
            if (pool.sticky().key() != StickyKeyType.NONE) {
                out.println("  Sticky: the same source address always lands on the same backend. With netcat you can pick the source:");
                out.printf("    for src in 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.2; do echo hi | nc -q1 -s $src %s %d | head -1; done%n", host, a.getPort());
            } else {
                out.println("  Not sticky: connections rotate over the backends.");
            }
            out.printf("  Talk to a backend interactively: nc %s %d   (type lines; Ctrl-C to leave)%n", host, a.getPort());
            out.println();
        }
        if (daemon.adminAddress() != null) {
            String admin = "http://" + hostPort(daemon.adminAddress());
            out.println("Status page: " + admin + "/   metrics: " + admin + "/metrics");
            out.println("Admin client: java -jar lb-cli/target/sluicectl.jar --admin " + admin + " pools");
            out.println();
        }
        printFiles(out, config, daemon, files);
        out.println("Access log lines (JSON, logger sluice.access) appear below as connections close.");
        out.println("Press Ctrl-C to stop (graceful; press again to close open connections at once).");
        out.flush();
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
