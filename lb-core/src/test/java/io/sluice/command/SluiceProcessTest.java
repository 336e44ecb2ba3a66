package io.sluice.command;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.ConfigText;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.SluiceExtension;
import io.sluice.harness.TestBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code sluice} command as a real process: {@code run} serves until SIGTERM and exits 0,
 * {@code demo} starts echo backends that say their name, errors exit 2 without a stack trace.
 */
class SluiceProcessTest {

    @TempDir
    Path dir;

    @Test
    void runServesUntilSigtermThenExitsZero() throws Exception {
        try (SluiceExtension daemon = SluiceExtension.builder().backend("app-1").build().start()) {
            DaemonProcess p = daemon.process();
            InetSocketAddress proxy = daemon.address();
            assertEquals("app-1", Clients.backendNameVia(proxy));
            Socket held = Clients.connect(proxy);
            assertEquals("app-1", Clients.readLine(held));
            p.terminate(); // SIGTERM
            // Graceful: the open connection keeps working while the daemon waits for it.
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                try (Socket s = new Socket()) {
                    s.connect(proxy, 500);
                    return false;
                } catch (IOException refused) {
                    return true;
                }
            });
            held.getOutputStream().write("still\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("still", Clients.readLine(held));
            held.close();
            assertTrue(p.awaitExit(Duration.ofSeconds(20)) != null, "daemon did not exit after SIGTERM");
            assertEquals(0, p.process().exitValue());
            String out = p.output();
            assertTrue(out.contains("Sluice started"), out);
            assertTrue(out.contains("Sluice stopped"), out);
            assertTrue(out.contains("\"close_reason\""), "access log line expected:\n" + out);
        }
    }

    @Test
    void sighupReloadsTheConfigFileAndABadOneIsRejected() throws Exception {
        try (TestBackend first = TestBackend.namedEcho("first");
             TestBackend second = TestBackend.namedEcho("second")) {
            int port = Ports.freePort();
            Path config = edgeToApp(port, first).writeTo(dir.resolve("hup.yaml"));
            DaemonProcess p = DaemonProcess.start(dir, "run", "--config", config.toString());
            try {
                InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> "first".equals(Clients.backendNameVia(proxy)));
                Socket held = Clients.connect(proxy);
                assertEquals("first", Clients.readLine(held));

                edgeToApp(port, second).writeTo(config);
                assertTrue(p.signal("HUP"));
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> "second".equals(Clients.backendNameVia(proxy)));
                held.getOutputStream().write("still\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("still", Clients.readLine(held), "the reload dropped no established connection");

                Files.writeString(config, "listeners: [ {name: edge, bind: nowhere} ]\n");
                assertTrue(p.signal("HUP"));
                await().atMost(Duration.ofSeconds(10)).until(() -> p.output().contains("Reload rejected"));
                assertEquals("second", Clients.backendNameVia(proxy), "the running config stays");
                held.close();
                p.terminate();
                assertTrue(p.awaitExit(Duration.ofSeconds(20)) != null);
                assertEquals(0, p.process().exitValue());
            } finally {
                p.close();
            }
        }
    }

    @Test
    void aDaemonStartedWithSighupIgnoredSaysSoAtStart() throws Exception {
        // nohup starts its command with SIGHUP ignored; the JVM then installs no handler for it and
        // says nothing, so SIGHUP would reload nothing. The daemon must say so (the launcher restores
        // the signal: LauncherTest). The plain start of the test above must not say it.
        try (TestBackend app = TestBackend.namedEcho("app")) {
            int port = Ports.freePort();
            Path config = edgeToApp(port, app).writeTo(dir.resolve("nohup.yaml"));
            try (DaemonProcess p = DaemonProcess.launch().prefix("nohup").start(dir, "run", "--config", config.toString())) {
                InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> "app".equals(Clients.backendNameVia(proxy)));
                assertTrue(p.output().contains("SIGHUP is ignored in this process"), p.output());
                assertTrue(p.output().contains("sluicectl reload"), "and what to do instead: " + p.output());
                assertFalse(p.output().contains("SIGTERM is ignored"), "nohup leaves SIGTERM alone: " + p.output());
            }
            try (DaemonProcess p = DaemonProcess.start(dir, "run", "--config", config.toString())) {
                InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> "app".equals(Clients.backendNameVia(proxy)));
                assertFalse(p.output().contains("is ignored in this process"), p.output());
            }
        }
    }

    @Test
    void aReloadRejectedThroughTheApiIsLoggedAsOnSighup() throws Exception {
        Path token = write("reload.token", "s3cret\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        int admin = Ports.freePort();
        Path config = edgeToDeadBackend().admin(admin, token).writeTo(dir.resolve("api-reload.yaml"));
        try (DaemonProcess p = DaemonProcess.launch().adminPort(admin).start(dir, "run", "--config", config.toString())) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> p.status().path("pid").asLong() == p.pid());
            Files.writeString(config, "listeners: [ {name: edge, bind: nowhere} ]\n");
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/v1/reload"))
                            .header("Authorization", "Bearer s3cret")
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(r.body().contains("api-reload.yaml:1"), r.statusCode() + " " + r.body());
            String line = "Reload rejected, the running configuration stays:";
            await().atMost(Duration.ofSeconds(10)).until(() -> p.output().contains(line));
            assertTrue(p.output().contains(line + "\n" + config + ":1"), p.output());

            assertTrue(p.signal("HUP"));
            await().atMost(Duration.ofSeconds(10)).until(() -> p.output().split(line, -1).length - 1 == 2);
        }
    }

    @Test
    void runWithABadConfigExitsTwoAndNamesEveryError() throws Exception {
        Path config = write("bad.yaml", """
                listeners:
                  - { name: edge, bind: 127.0.0.1:70000, pool: nope }
                pools:
                  app:
                    balance: fastest
                    backends:
                      - { name: a, address: 127.0.0.1:9001, wieght: 5 }
                """);
        DaemonProcess p = DaemonProcess.start(dir, "run", "--config", config.toString());
        assertTrue(p.awaitExit(Duration.ofSeconds(30)) != null);
        String out = p.output();
        assertEquals(2, p.process().exitValue(), out);
        assertTrue(out.contains("bad.yaml:2"), out);
        assertTrue(out.contains("bad.yaml:5"), out);
        assertTrue(out.contains("bad.yaml:7"), out);
        assertNoStackTrace(out);
    }

    @Test
    void runOnAPortInUseExitsTwoWithOneParagraph() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path config = ConfigText.create().listener("edge", taken.getLocalPort(), "app").pool("app", "round-robin")
                    .backend("app", "a", Ports.deadAddress(), 100).writeTo(dir.resolve("clash.yaml"));
            DaemonProcess p = DaemonProcess.start(dir, "run", "--config", config.toString());
            assertTrue(p.awaitExit(Duration.ofSeconds(30)) != null);
            String out = p.output();
            assertEquals(2, p.process().exitValue(), out);
            assertTrue(out.contains("cannot bind listener 'edge' to 127.0.0.1:" + taken.getLocalPort()), out);
            assertNoStackTrace(out);
        }
    }

    @Test
    void demoStartsEchoBackendsThatSayTheirNames() throws Exception {
        int chat = Ports.freePort();
        int web = Ports.freePort();
        int b1 = Ports.freePort();
        int b2 = Ports.freePort();
        InetSocketAddress app1 = new InetSocketAddress(InetAddress.getLoopbackAddress(), b1);
        InetSocketAddress app2 = new InetSocketAddress(InetAddress.getLoopbackAddress(), b2);
        Path config = ConfigText.create().listener("chat", chat, "chat").listener("web", web, "web")
                .pool("chat", "maglev").backend("chat", "app-1", app1, 100).backend("chat", "app-2", app2, 100)
                .pool("web", "round-robin").backend("web", "app-1", app1, 100).backend("web", "app-2", app2, 100)
                .writeTo(dir.resolve("demo.yaml"));
        DaemonProcess p = DaemonProcess.start(dir, "demo", "--config", config.toString());
        try {
            InetSocketAddress webAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), web);
            InetSocketAddress chatAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), chat);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> Clients.backendNameVia(webAddress) != null);
            List<String> web4 = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                web4.add(Clients.backendNameVia(webAddress));
            }
            assertTrue(web4.stream().anyMatch(l -> l.contains("app-1")) && web4.stream().anyMatch(l -> l.contains("app-2")),
                    "round-robin must reach both: " + web4);
            String first = Clients.backendNameVia(chatAddress, Clients.loopback(2));
            for (int i = 0; i < 4; i++) {
                assertEquals(first, Clients.backendNameVia(chatAddress, Clients.loopback(2)), "sticky by source");
            }
            try (Socket s = Clients.connect(chatAddress)) {
                assertTrue(Clients.readLine(s).startsWith("hello from app-"));
                s.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
                assertTrue(Clients.readLine(s).matches("\\[app-\\d] hi"));
            }
            p.terminate();
            assertTrue(p.awaitExit(Duration.ofSeconds(20)) != null);
            assertEquals(0, p.process().exitValue());
            String out = p.output();
            assertTrue(out.contains("Sluice demo is running"), out);
            assertTrue(out.contains("/dev/tcp/127.0.0.1/" + web), out);
        } finally {
            p.close();
        }
    }

    private static void assertNoStackTrace(String out) {
        assertFalse(out.contains("\tat "), "no stack trace expected:\n" + out);
        assertFalse(out.contains("Exception in thread"), out);
    }

    @Test
    void aLowOpenFilesLimitIsReportedWithItsNumbersAndKeepsTheAdminApiReachable() throws Exception {
        // The daemon runs under a small open-files limit (bash ulimit): it says so at start with
        // the numbers, accepts only as many connections as its descriptors allow (refusing the
        // rest cleanly instead of running out), and neither a flood of proxied connections nor a
        // crowd of idle admin connections keeps /healthz or a new client from being served.
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            int port = Ports.freePort();
            int admin = Ports.freePort();
            Path config = edgeToApp(port, backend).admin(admin, null).section("timeouts: { shutdown-grace: 2s }")
                    .writeTo(dir.resolve("fd.yaml"));
            // In try-with-resources: a failure before the terminate below must not leave the daemon running.
            try (DaemonProcess p = DaemonProcess.launch().openFilesLimit(500).start(dir, "run", "--config", config.toString())) {
                InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                InetSocketAddress adminAt = new InetSocketAddress(InetAddress.getLoopbackAddress(), admin);
                List<Socket> clients = new ArrayList<>();
                try {
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                            .until(() -> "app-1".equals(Clients.backendNameVia(proxy)));
                    // The listeners are bound before the admin API, and may answer first: wait for both.
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> healthz(admin) == 200);
                    Matcher m = Pattern.compile(
                            "the open-files limit \\(500\\) is below what the configuration may need \\((\\d+):.*accepting at most (\\d+) connections")
                            .matcher(p.output());
                    assertTrue(m.find(), p.output());
                    int allowed = Integer.parseInt(m.group(2));
                    assertTrue(allowed > 10 && allowed < 250, "two descriptors per connection within 500: " + allowed);
                    for (int i = 0; i < allowed + 50; i++) { // more than it may accept
                        Socket s = new Socket();
                        s.connect(proxy, 2000);
                        s.setSoTimeout(200);
                        clients.add(s);
                    }
                    for (int i = 0; i < 150; i++) { // idle admin connections, more than the admin cap
                        Socket s = new Socket();
                        s.connect(adminAt, 2000);
                        clients.add(s);
                    }
                    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> healthz(admin) == 200);
                    assertTrue(p.isAlive(), "the daemon must survive the flood");
                    assertFalse(p.output().contains("Too many open files"), "it never ran out:\n" + p.output());
                } finally {
                    for (Socket s : clients) {
                        s.close();
                    }
                }
                try {
                    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                            .until(() -> "app-1".equals(Clients.backendNameVia(proxy)));
                    await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                            .until(() -> openConnections(admin) == 0);
                    assertFalse(p.output().contains("reached at the tail of the pipeline"), "no per-accept Netty warning:\n" + p.output());
                } finally {
                    p.terminate();
                    assertTrue(p.awaitExit(Duration.ofSeconds(20)) != null, "no exit 20 s after SIGTERM:\n" + p.output());
                }
            }
        }
    }

    @Test
    void anAdminTokenFileOthersCanReadIsWarnedAbout() throws Exception {
        Path token = write("admin.token", "s3cret\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        int admin = Ports.freePort();
        Path config = edgeToDeadBackend().admin(admin, token).writeTo(dir.resolve("token.yaml"));
        try (DaemonProcess p = DaemonProcess.launch().adminPort(admin).start(dir, "run", "--config", config.toString())) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> p.status().path("pid").asLong() == p.pid());
            assertTrue(p.output().contains("admin token file " + token + " is readable by every user (mode rw-r--r--): chmod 600"),
                    p.output());
            assertFalse(p.output().contains("s3cret"), "the token itself is never logged");
        }
    }

    /** The status code of {@code GET /healthz} on a fresh connection. */
    private static int healthz(int adminPort) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), adminPort), 2000);
            s.setSoTimeout(2000);
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    /** The {@code total} of the admin API's connection list (the daemon's open client connections). */
    private static int openConnections(int adminPort) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/api/v1/connections"))
                        .timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"total\":(\\d+)").matcher(r.body());
        if (!m.find()) {
            throw new IllegalStateException("no total in " + r.body());
        }
        return Integer.parseInt(m.group(1));
    }

    /** Listener {@code edge} on {@code port} to pool {@code app} of one backend, {@code backend}. */
    private static ConfigText edgeToApp(int port, TestBackend backend) {
        return ConfigText.create().listener("edge", port, "app").pool("app", "round-robin").backend("app", backend);
    }

    /** Listener {@code edge} on a free port to pool {@code app}, whose one backend app-1 nobody listens on. */
    private static ConfigText edgeToDeadBackend() {
        return ConfigText.create().listener("edge", Ports.freePort(), "app").pool("app", "round-robin")
                .backend("app", "app-1", Ports.deadAddress(), 100);
    }

    private Path write(String name, String yaml) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }
}
