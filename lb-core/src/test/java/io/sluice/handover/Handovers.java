package io.sluice.handover;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.daemon.SluiceDaemon;
import io.sluice.harness.Clients;
import io.sluice.harness.DaemonProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What the handover tests share: configs as YAML files, and reading the admin status. */
final class Handovers {

    private Handovers() {}

    /** A tcp listener {@code edge} on {@code port} to one backend, admin on {@code admin}, handover on {@code socket}. */
    static Path tcpConfig(Path dir, String name, int port, InetSocketAddress backend, int admin, Path socket)
            throws IOException {
        return DaemonProcess.writeConfig(dir, name, """
                listeners:
                  - { name: edge, bind: 127.0.0.1:%d, pool: app }
                pools:
                  app:
                    health: { type: none }
                    backends:
                      - { name: stream, address: 127.0.0.1:%d }
                admin: { bind: 127.0.0.1:%d }
                timeouts: { shutdown-grace: 5s }
                limits: { max-connections: 20000 }
                handover: { socket: "%s" }
                """.formatted(port, backend.getPort(), admin, socket));
    }

    /** {@code n} clients through {@code proxy}, each having read the backend's greeting. */
    static List<Socket> connect(InetSocketAddress proxy, int n, String greeting) throws IOException {
        List<Socket> clients = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Socket s = Clients.connect(proxy);
            clients.add(s);
            assertEquals(greeting, Clients.readLine(s));
        }
        return clients;
    }

    /** A line to an echo backend and back. */
    static void say(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        assertEquals(line, Clients.readLine(s));
    }

    /** {@code prefix + i} through every client i. */
    static void sayToAll(List<Socket> clients, String prefix) throws IOException {
        for (int i = 0; i < clients.size(); i++) {
            say(clients.get(i), prefix + i);
        }
    }

    /**
     * Starts {@code SluiceDaemon.takeOver} on its own thread, so the test can act while the
     * connections move; the future completes with the new daemon (or its failure).
     */
    static CompletableFuture<SluiceDaemon> takeOverInBackground(
            SluiceConfig config, Path socket) {
        CompletableFuture<SluiceDaemon> took = new CompletableFuture<>();
        Thread taker = new Thread(() -> {
            try {
                took.complete(SluiceDaemon.takeOver(config, socket));
            } catch (Exception | Error e) {
                took.completeExceptionally(e);
            }
        }, "taker");
        taker.setDaemon(true);
        taker.start();
        return took;
    }

    /** The daemon a background takeover started, waiting up to a minute; null if it failed. */
    static SluiceDaemon taken(CompletableFuture<SluiceDaemon> took) {
        try {
            return took.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    /** Closes the clients, then stops each daemon (null ones skipped) without grace. */
    static void closeAll(List<Socket> clients, SluiceDaemon... daemons)
            throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        for (SluiceDaemon d : daemons) {
            if (d != null) {
                d.stop(Duration.ZERO);
            }
        }
    }

    /** For daemons in the test's own JVM: listener {@code main} to backend {@code app-1}, admin on {@code admin} unless 0. */
    static SluiceConfig inProcess(int port, int backendPort, int admin, Path socket) throws Exception {
        return ConfigLoader.parse("""
                listeners:
                  - { name: main, bind: 127.0.0.1:%d, pool: app }
                pools:
                  app:
                    backends:
                      - { name: app-1, address: 127.0.0.1:%d }
                handover:
                  socket: %s
                """.formatted(port, backendPort, socket) + (admin == 0 ? "" : "admin: { bind: 127.0.0.1:" + admin + " }\n"),
                "in-process.yaml");
    }

    /** A tls listener {@code edge} routing SNI {@code sni} to one TLS backend. */
    static Path tlsConfig(Path dir, String name, int port, String sni, InetSocketAddress backend, int admin, Path socket)
            throws IOException {
        return DaemonProcess.writeConfig(dir, name, """
                listeners:
                  - name: edge
                    bind: 127.0.0.1:%d
                    mode: tls
                    routes:
                      - { sni: %s, pool: tls }
                    client-hello-timeout: 2m
                pools:
                  tls:
                    health: { type: none }
                    backends:
                      - { name: %s, address: 127.0.0.1:%d }
                admin: { bind: 127.0.0.1:%d }
                timeouts: { shutdown-grace: 5s }
                handover: { socket: "%s" }
                """.formatted(port, sni, sni, backend.getPort(), admin, socket));
    }

    /** Waits until the daemon answers its status with its own pid; the status. */
    static JsonNode awaitUp(DaemonProcess d) {
        try {
            await("admin status of " + d).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .failFast("the daemon exited", () -> !d.isAlive())
                    .ignoreExceptions().until(() -> d.status().path("pid").asLong() == d.pid());
        } catch (RuntimeException e) {
            throw new AssertionError(d + " never answered its status with its pid: " + e.getMessage()
                    + "\n--- its output:\n" + d.output(), e);
        }
        return status(d);
    }

    /**
     * Waits (at most {@code limit}) until {@code old} has exited, and asserts it exited 0; fails at
     * once, with both outputs, if {@code fresh} dies first.
     */
    static void awaitHandedOver(DaemonProcess old, DaemonProcess fresh, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (int polls = 0; polls < 100_000 && System.nanoTime() < deadline; polls++) {
            Integer exit = old.awaitExit(Duration.ofMillis(50));
            if (exit != null) {
                if (exit != 0) {
                    throw new AssertionError(old + " exited " + exit + " after handing over\n--- its output:\n"
                            + old.output() + "\n--- the new daemon's output:\n" + fresh.output());
                }
                return;
            }
            if (!fresh.isAlive()) {
                throw new AssertionError(fresh + " died during the takeover\n--- its output:\n" + fresh.output()
                        + "\n--- the old daemon's output:\n" + old.output());
            }
        }
        throw new AssertionError(old + " still runs " + limit + " after the takeover began\n--- its output:\n"
                + old.output() + "\n--- the new daemon's output:\n" + fresh.output());
    }

    static JsonNode status(DaemonProcess d) {
        try {
            return d.status();
        } catch (Exception e) {
            throw new AssertionError("no status from " + d + ": " + e + "\n" + d.output(), e);
        }
    }

    /** {@code status.handover}. */
    static JsonNode handover(DaemonProcess d) {
        return status(d).path("handover");
    }

    /** Waits until {@code handover.last} exists with an outcome that starts with {@code prefix}; that {@code last}. */
    static JsonNode awaitLast(DaemonProcess d, String prefix, Duration limit) {
        await("handover.last.outcome '" + prefix + "...' on " + d).atMost(limit).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> d.status().path("handover").path("last").path("outcome").asText("").startsWith(prefix)
                        && d.status().path("handover").path("state").asText().equals("idle"));
        return handover(d).path("last");
    }

    /** A field of the status by its contract name, in camelCase or as the admin API's snake_case. */
    static JsonNode field(JsonNode node, String camel) {
        if (node.has(camel)) {
            return node.get(camel);
        }
        return node.path(camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT));
    }

    /** The daemon's open client connections ({@code status.active_connections}). */
    static int activeConnections(DaemonProcess d) {
        return field(status(d), "activeConnections").asInt(-1);
    }
}
