package io.sluice.command;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.ConfigText;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon whose clients use up every descriptor it may open: its open-files limit is lowered under
 * it with prlimit (the budget it computed at start no longer holds, as when descriptors go elsewhere),
 * then more clients connect than the rest of its descriptors can hold. The admin API still answers
 * on new connections, also behind more idle admin connections than the reserve holds, the listener's accept errors are counted and logged once per ten seconds, and
 * the data plane serves again once the clients leave.
 */
class DescriptorExhaustionProcessTest {

    private static final Pattern ACCEPT_ERRORS = Pattern.compile(
            "sluice_listener_accept_errors_total\\{listener=\"edge\",reason=\"out-of-descriptors\",?} (\\d+)\\.0");
    private static final String ACCEPT_ERROR_LINE = "listener 'edge' cannot accept connections";

    @TempDir
    Path dir;

    @Test
    void theAdminApiAnswersWhenClientsHaveUsedUpEveryOtherDescriptor() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            int port = Ports.freePort();
            int admin = Ports.freePort();
            Path config = ConfigText.create().listener("edge", port, "app").pool("app", "round-robin")
                    .backend("app", backend).admin(admin, null)
                    .section("limits: { max-connections: 2000 }").section("timeouts: { shutdown-grace: 2s }")
                    .writeTo(dir.resolve("fd.yaml"));
            InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            List<Socket> clients = new ArrayList<>();
            // 8192 holds what max-connections 2000 needs: the start-up budget is satisfied.
            try (DaemonProcess p = DaemonProcess.launch().openFilesLimit(8192).adminPort(admin)
                    .start(dir, "run", "--config", config.toString())) {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> "app-1".equals(Clients.backendNameVia(proxy)));
                assertFalse(p.output().contains("open-files limit"), p.output());

                // Room for about 60 more proxied connections, then 300 clients: the kernel completes
                // every handshake (they wait in the accept queue) while the daemon runs out.
                long open;
                try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
                    open = fds.count();
                }
                long limit = open + 120;
                Process prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(p.pid()), "--nofile=" + limit + ":")
                        .redirectErrorStream(true).start();
                assertTrue(prlimit.waitFor(10, TimeUnit.SECONDS), "prlimit did not return");
                assertEquals(0, prlimit.exitValue(), new String(prlimit.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                long floodStarted = System.nanoTime();
                for (int i = 0; i < 300; i++) {
                    Socket s = new Socket();
                    s.connect(proxy, 2000);
                    clients.add(s);
                }

                // New admin connections are answered while the data plane keeps failing to accept.
                try {
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> acceptErrors(admin) >= 3);
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("the admin API did not answer, or no accept error was counted:\n" + p.output(), e);
                }
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, get(admin, "/healthz").status(), "healthz on a new connection");
                    Response status = get(admin, "/api/v1/status");
                    assertEquals(200, status.status(), status.body());
                    assertTrue(status.body().contains("\"pid\":" + p.pid()), status.body());
                }
                // More idle admin connections than the reserve holds: a new one is still answered
                // (an admin accept that finds no descriptor closes the oldest admin connection).
                InetSocketAddress adminAt = new InetSocketAddress(InetAddress.getLoopbackAddress(), admin);
                for (int i = 0; i < 48; i++) {
                    Socket s = new Socket();
                    s.connect(adminAt, 2000);
                    clients.add(s);
                }
                Response healthz = get(admin, "/healthz");
                assertEquals(200, healthz.status(), healthz.body());
                long errors = acceptErrors(admin);
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - floodStarted);
                long lines = p.output().lines().filter(l -> l.contains(ACCEPT_ERROR_LINE)).count();
                assertTrue(lines >= 1, "the accept errors are logged:\n" + p.output());
                assertTrue(lines <= 1 + seconds / 10 && lines < errors,
                        lines + " log lines for " + errors + " accept errors in " + seconds + " s: one a ten seconds at most\n"
                                + p.output());
                // The admin socket ran out too (48 idle connections, fewer reserved descriptors): throttled alike.
                long adminLines = p.output().lines().filter(l -> l.contains("listener 'admin' cannot accept connections")).count();
                assertTrue(adminLines >= 1 && adminLines <= 1 + seconds / 10,
                        adminLines + " admin accept error lines in " + seconds + " s\n" + p.output());
                assertFalse(p.output().contains("reached at the tail of the pipeline"),
                        "no per-accept Netty warning:\n" + p.output());
                assertTrue(p.isAlive(), "the daemon must survive the flood");

                for (Socket s : clients) {
                    s.close();
                }
                clients.clear();
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> "app-1".equals(Clients.backendNameVia(proxy)));
                p.terminate();
                assertTrue(p.awaitExit(Duration.ofSeconds(20)) != null, "no exit 20 s after SIGTERM:\n" + p.output());
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }

    /** {@code sluice_listener_accept_errors_total} of listener edge, out of descriptors (0 when absent). */
    private static long acceptErrors(int adminPort) throws IOException {
        Response metrics = get(adminPort, "/metrics");
        if (metrics.status() != 200) {
            throw new IOException("/metrics answered " + metrics.status());
        }
        Matcher m = ACCEPT_ERRORS.matcher(metrics.body());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private record Response(int status, String body) {}

    /** {@code GET path} on a new connection (never a pooled one: that would need no descriptor), 5 s at most. */
    private static Response get(int adminPort, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), adminPort), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int bodyAt = response.indexOf("\r\n\r\n");
            return new Response(Integer.parseInt(response.substring(9, 12)), bodyAt < 0 ? "" : response.substring(bodyAt + 4));
        }
    }
}
