package io.sluice.command;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.TestBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            int port = freePort();
            Path config = write("run.yaml", """
                    listeners:
                      - { name: edge, bind: 127.0.0.1:%d, pool: app }
                    pools:
                      app:
                        backends:
                          - { name: app-1, address: 127.0.0.1:%d }
                    """.formatted(port, backend.address().getPort()));
            Process p = sluice("run", "--config", config.toString());
            try {
                InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> "app-1".equals(Clients.backendNameVia(proxy)));
                Socket held = Clients.connect(proxy);
                assertEquals("app-1", Clients.readLine(held));
                p.destroy(); // SIGTERM
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
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "daemon did not exit after SIGTERM");
                assertEquals(0, p.exitValue());
                String out = output(p);
                assertTrue(out.contains("Sluice started"), out);
                assertTrue(out.contains("Sluice stopped"), out);
                assertTrue(out.contains("\"close_reason\""), "access log line expected:\n" + out);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void sighupReloadsTheConfigFileAndABadOneIsRejected() throws Exception {
        try (TestBackend first = TestBackend.namedEcho("first");
             TestBackend second = TestBackend.namedEcho("second")) {
            int port = freePort();
            String template = """
                    listeners:
                      - { name: edge, bind: 127.0.0.1:%d, pool: app }
                    pools:
                      app:
                        backends:
                          - { name: %s, address: 127.0.0.1:%d }
                    """;
            Path config = write("hup.yaml", template.formatted(port, "first", first.address().getPort()));
            Process p = sluice("run", "--config", config.toString());
            try {
                InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> "first".equals(Clients.backendNameVia(proxy)));
                Socket held = Clients.connect(proxy);
                assertEquals("first", Clients.readLine(held));

                Files.writeString(config, template.formatted(port, "second", second.address().getPort()));
                hangUp(p);
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> "second".equals(Clients.backendNameVia(proxy)));
                held.getOutputStream().write("still\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("still", Clients.readLine(held), "the reload dropped no established connection");

                Files.writeString(config, "listeners: [ {name: edge, bind: nowhere} ]\n");
                hangUp(p);
                await().atMost(Duration.ofSeconds(10)).until(() -> output(p).contains("Reload rejected"));
                assertEquals("second", Clients.backendNameVia(proxy), "the running config stays");
                held.close();
                p.destroy();
                assertTrue(p.waitFor(20, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private static void hangUp(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
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
        Process p = sluice("run", "--config", config.toString());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = output(p);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("bad.yaml:2"), out);
        assertTrue(out.contains("bad.yaml:5"), out);
        assertTrue(out.contains("bad.yaml:7"), out);
        assertNoStackTrace(out);
    }

    @Test
    void runOnAPortInUseExitsTwoWithOneParagraph() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path config = write("clash.yaml", """
                    listeners:
                      - { name: edge, bind: 127.0.0.1:%d, pool: app }
                    pools:
                      app:
                        backends:
                          - { name: a, address: 127.0.0.1:9 }
                    """.formatted(taken.getLocalPort()));
            Process p = sluice("run", "--config", config.toString());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String out = output(p);
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.contains("cannot bind listener 'edge' to 127.0.0.1:" + taken.getLocalPort()), out);
            assertNoStackTrace(out);
        }
    }

    @Test
    void demoStartsEchoBackendsThatSayTheirNames() throws Exception {
        int chat = freePort();
        int web = freePort();
        int b1 = freePort();
        int b2 = freePort();
        Path config = write("demo.yaml", """
                listeners:
                  - { name: chat, bind: 127.0.0.1:%d, pool: chat }
                  - { name: web, bind: 127.0.0.1:%d, pool: web }
                pools:
                  chat:
                    balance: maglev
                    backends:
                      - { name: app-1, address: 127.0.0.1:%d }
                      - { name: app-2, address: 127.0.0.1:%d }
                  web:
                    backends:
                      - { name: app-1, address: 127.0.0.1:%d }
                      - { name: app-2, address: 127.0.0.1:%d }
                """.formatted(chat, web, b1, b2, b1, b2));
        Process p = sluice("demo", "--config", config.toString());
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
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            String out = output(p);
            assertTrue(out.contains("Sluice demo is running"), out);
            assertTrue(out.contains("/dev/tcp/127.0.0.1/" + web), out);
        } finally {
            p.destroyForcibly();
        }
    }

    private static void assertNoStackTrace(String out) {
        assertFalse(out.contains("\tat "), "no stack trace expected:\n" + out);
        assertFalse(out.contains("Exception in thread"), out);
    }

    @Test
    void runningOutOfFileDescriptorsPausesAcceptsWithOneClearErrorAndRecovers() throws Exception {
        // The daemon runs under a small open-files limit (bash ulimit), then gets more connections
        // than it has descriptors for. Expected: a few clear, throttled errors (no Netty stack trace
        // per accept), the daemon keeps serving, and new connections work once clients leave.
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            int port = freePort();
            int admin = freePort();
            Path config = write("fd.yaml", """
                    listeners:
                      - { name: edge, bind: 127.0.0.1:%d, pool: app }
                    pools:
                      app:
                        health: { type: none }
                        backends:
                          - { name: app-1, address: 127.0.0.1:%d }
                    admin: { bind: 127.0.0.1:%d }
                    timeouts: { shutdown-grace: 2s }
                    """.formatted(port, backend.address().getPort(), admin));
            Process p = sluiceWithOpenFilesLimit(200, "run", "--config", config.toString());
            InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            List<Socket> clients = new ArrayList<>();
            try {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> "app-1".equals(Clients.backendNameVia(proxy)));
                for (int i = 0; i < 150; i++) { // 300 descriptors in the daemon: over its limit
                    Socket s = new Socket();
                    s.connect(proxy, 2000);
                    s.setSoTimeout(200);
                    clients.add(s);
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> output(p).contains("cannot accept connections")
                        || output(p).contains("cannot open a socket to a backend"));
                assertTrue(p.isAlive(), "the daemon must survive running out of descriptors");
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
            try {
                // Descriptors are free again: a new client is served (accepts resume within a second).
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> "app-1".equals(Clients.backendNameVia(proxy)));
                // Nothing leaked: every connection of the flood has ended in the daemon's own view.
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> openConnections(admin) == 0);
                String out = output(p);
                assertTrue(out.contains("open-files limit") || out.contains("Too many open files"), out);
                assertFalse(out.contains("reached at the tail of the pipeline"), "no per-accept Netty warning:\n" + out);
                long errors = out.lines().filter(l -> l.contains("cannot accept connections")).count();
                assertTrue(errors <= 3, "throttled to one report per 10 s, got " + errors + ":\n" + out);
            } finally {
                p.destroy();
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "no exit 20 s after SIGTERM:\n" + output(p));
            }
        }
    }

    /** The {@code total} of the admin API's connection list (the daemon's open client connections). */
    private static int openConnections(int adminPort) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + "/api/v1/connections"))
                        .timeout(Duration.ofSeconds(2)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"total\":(\\d+)").matcher(r.body());
        if (!m.find()) {
            throw new IllegalStateException("no total in " + r.body());
        }
        return Integer.parseInt(m.group(1));
    }

    /** The daemon under bash's {@code ulimit -n limit}, each argument single-quoted for the shell. */
    private Process sluiceWithOpenFilesLimit(int limit, String... args) throws IOException {
        StringBuilder command = new StringBuilder("ulimit -n " + limit + " && exec");
        for (String a : sluiceCommand(args)) {
            command.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        return start(List.of("bash", "-c", command.toString()));
    }

    private Path write(String name, String yaml) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    private Process sluice(String... args) throws IOException {
        return start(sluiceCommand(args));
    }

    /** {@code java ... io.sluice.Main args}, the daemon as a process of its own. */
    private static List<String> sluiceCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Without test-classes: the daemon's own default logging (DefaultLogging), not
                // logback-test.xml, which silences the access log.
                "-cp", withoutTestClasses(System.getProperty("java.class.path")),
                "-Dio.netty.leakDetection.level=PARANOID",
                "io.sluice.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out-" + System.nanoTime() + ".log").toFile())
                .start();
    }

    private static String withoutTestClasses(String classPath) {
        return java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private String output(Process p) throws IOException {
        // The newest log file belongs to the process under test (one process per test).
        try (var files = Files.list(dir)) {
            Path newest = files.filter(f -> f.getFileName().toString().startsWith("out-"))
                    .max(java.util.Comparator.comparing(Path::toString)).orElseThrow();
            return Files.readString(newest);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
