package io.sluice.cli.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.ConfigLoader;
import io.sluice.daemon.SluiceDaemon;
import io.sluice.harness.Clients;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluicectl upgrade} for real: the running daemon (in this JVM) hands its listener and an
 * open connection to a new daemon process that sluicectl starts; the connection goes on through it.
 */
class SluicectlUpgradeTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void upgradeMovesAnOpenConnectionToTheNewDaemonProcess() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            int port = Ports.freePort();
            int admin = Ports.freePort();
            Path config = dir.resolve("sluice.yaml");
            Files.writeString(config, """
                    listeners:
                      - { name: main, bind: 127.0.0.1:%d, pool: app }
                    pools:
                      app:
                        backends:
                          - { name: app-1, address: 127.0.0.1:%d }
                    admin: { bind: 127.0.0.1:%d }
                    handover: { socket: %s }
                    """.formatted(port, backend.address().getPort(), admin, dir.resolve("handover.sock")));
            SluiceDaemon old = SluiceDaemon.start(ConfigLoader.load(config));
            long newPid = -1;
            Path log = dir.resolve("new-daemon.log");
            try (Socket held = Clients.connect(new InetSocketAddress("127.0.0.1", port))) {
                assertEquals("app-1", Clients.readLine(held));
                say(held, "before");
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

                Sluicectl.Result r = new Sluicectl().env("SLUICE_ADMIN", "http://127.0.0.1:" + admin).run("upgrade",
                        "--exec", java, "--exec-arg", "-cp", "--exec-arg", System.getProperty("java.class.path"),
                        "--exec-arg", "io.sluice.Main", "--log", log.toString(), "--wait-timeout", "120s");

                String context = r + "\n--- new daemon:\n" + (Files.exists(log) ? Files.readString(log) : "(no log)");
                assertEquals(0, r.exitCode(), context);
                long oldPid = ProcessHandle.current().pid();
                assertTrue(r.out().contains("upgraded: pid " + oldPid + " -> "), context);
                JsonNode status = status(admin);
                newPid = status.path("pid").asLong();
                assertNotEquals(oldPid, newPid, "the admin API now answers from the new process");
                assertEquals("received", status.path("handover").path("last").path("role").asText(), status.toString());
                assertEquals(1, status.path("handover").path("last").path("connections").asInt(), status.toString());
                assertEquals(0, old.connections().size(), "the old daemon holds nothing");

                say(held, "after"); // relayed by the new process now
                try (Socket fresh = Clients.connect(new InetSocketAddress("127.0.0.1", port))) {
                    assertEquals("app-1", Clients.readLine(fresh));
                }
            } finally {
                old.stop(Duration.ZERO);
                Optional<ProcessHandle> child = ProcessHandle.of(newPid);
                if (child.isPresent()) {
                    child.get().destroy();
                    child.get().onExit().get(20, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static JsonNode status(int admin) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/api/v1/status"))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
    }

    private static void say(Socket s, String line) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertEquals(line, Clients.readLine(s));
    }
}
