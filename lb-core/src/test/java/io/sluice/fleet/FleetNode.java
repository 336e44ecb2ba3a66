package io.sluice.fleet;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One edge node of a fleet test: a real {@code sluice} process with its own listener, admin port,
 * admin token and handover socket, and a config the test gives as the pools' and registries' YAML.
 * It can be restarted (killed, then started on the same config, as after a crash) and upgraded (a
 * new process takes its listeners and connections over the handover socket).
 *
 * <p>Thread ownership: the test's thread.
 */
final class FleetNode implements AutoCloseable {

    static final String TOKEN = "fleet-admin-token";
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path dir;
    private final int port;
    private final int adminPort;
    private final Path socket;
    private final Path config;
    private DaemonProcess process;

    /**
     * @param rest the YAML after {@code listeners:} and {@code admin:}: {@code pools:}, {@code discovery:},
     *             {@code state:}
     */
    private FleetNode(String name, Path dir, String rest) throws IOException {
        this.name = name;
        this.dir = Files.createDirectories(dir.resolve(name));
        this.port = Ports.freePort();
        this.adminPort = Ports.freePort();
        this.socket = this.dir.resolve("handover.sock");
        Path token = Files.writeString(this.dir.resolve("admin.token"), TOKEN + "\n");
        this.config = DaemonProcess.writeConfig(this.dir, "sluice.yaml", """
                listeners:
                  - { name: main, bind: 127.0.0.1:%d, pool: main }
                admin: { bind: 127.0.0.1:%d, token-file: "%s" }
                handover: { socket: "%s" }
                %s""".formatted(port, adminPort, token, socket, rest));
    }

    static FleetNode start(String name, Path dir, String rest) throws IOException, InterruptedException {
        FleetNode n = new FleetNode(name, dir, rest);
        n.process = n.launch();
        n.awaitReady();
        return n;
    }

    private DaemonProcess launch(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--config", config.toString()));
        args.addAll(List.of(extra));
        return DaemonProcess.launch().adminPort(adminPort).start(dir, args.toArray(String[]::new));
    }

    private void awaitReady() {
        DaemonProcess p = process;
        try {
            await().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!p.isAlive()) {
                    throw new AssertionError(name + " exited: " + p.output());
                }
                try {
                    p.adminText("/readyz");
                    return true;
                } catch (IOException notYet) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            throw new AssertionError(name + " did not become ready within " + READY_WITHIN + ":\n" + p.output(), e);
        }
    }

    /** SIGKILL, as a crash, then the same config again; returns once the new process is ready. */
    void restart() throws IOException, InterruptedException {
        process.kill();
        process.close();
        process = launch();
        awaitReady();
    }

    /**
     * An upgrade: a new process on the same config takes over the listeners and open connections
     * through the handover socket; returns once the old one has exited and the new one is ready.
     */
    void upgrade() throws IOException, InterruptedException {
        DaemonProcess old = process;
        DaemonProcess next = launch("--takeover", socket.toString());
        Integer exit = old.awaitExit(Duration.ofSeconds(60));
        if (exit == null) {
            throw new AssertionError(name + ": the old process did not hand over within 60 s:\n" + old.output()
                    + "\n--- new:\n" + next.output());
        }
        old.close();
        process = next;
        awaitReady();
        JsonNode last = adminJson("/api/v1/status").path("handover").path("last");
        if (!"received".equals(last.path("role").asText())) {
            throw new AssertionError(name + ": the new process did not receive a handover: " + last + "\n" + next.output());
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    String adminUrl() {
        return "http://127.0.0.1:" + adminPort;
    }

    long pid() {
        return process.pid();
    }

    JsonNode adminJson(String path) throws IOException, InterruptedException {
        return process.adminJson(path);
    }

    /** The backend {@code backend} of pool main as this node's admin API shows it. */
    JsonNode backend(String backend) throws IOException, InterruptedException {
        for (JsonNode b : adminJson("/api/v1/pools/main").path("backends")) {
            if (backend.equals(b.path("name").asText())) {
                return b;
            }
        }
        return null;
    }

    /** {@code POST /api/v1/pools/main/backends/{backend}/{action}} with the token; the answer's status. */
    int post(String backend, String action) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(adminUrl() + "/api/v1/pools/main/backends/" + backend + "/" + action))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** This node's explain for {@code client} on listener main (backend, decided_by, fingerprint...). */
    JsonNode explain(InetAddress client) throws IOException, InterruptedException {
        return adminJson("/api/v1/explain?client=" + client.getHostAddress());
    }

    String output() {
        return process.output();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + (process == null ? "-" : process.pid()) + ", admin " + adminUrl() + ")";
    }
}
