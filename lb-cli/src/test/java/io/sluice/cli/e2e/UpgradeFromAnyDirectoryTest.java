package io.sluice.cli.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.harness.Clients;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon started with a relative {@code --config lb.yaml} from one directory, upgraded by a
 * {@code sluicectl} process whose working directory is another: the daemon's config path is
 * absolute from its start, so the new process reads the same file and serves. A new process that
 * cannot start leaves its reason in the old daemon's status.
 */
class UpgradeFromAnyDirectoryTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void aRelativeConfigSurvivesAnUpgradeFromAnotherDirectoryAndAFailedOneSaysWhy() throws Exception {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            int port = Ports.freePort();
            int admin = Ports.freePort();
            Files.writeString(a.resolve("lb.yaml"), """
                    listeners:
                      - { name: main, bind: 127.0.0.1:%d, pool: app }
                    pools:
                      app:
                        backends:
                          - { name: app-1, address: 127.0.0.1:%d }
                    admin: { bind: 127.0.0.1:%d }
                    handover: { socket: %s }
                    """.formatted(port, backend.address().getPort(), admin, dir.resolve("handover.sock")));
            InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", port);
            DaemonProcess old = DaemonProcess.launch().adminPort(admin).workingDirectory(a)
                    .start(dir, "run", "--config", "lb.yaml");
            long newPid = -1;
            try {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "app-1".equals(Clients.backendNameVia(proxy)));
                // The listeners are bound before the admin API and may answer first: wait for it too.
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> old.status() != null);
                assertEquals(a.resolve("lb.yaml").toString(), old.status().path("config_file").asText(),
                        "status reports the absolute path");

                // A new process that cannot start (its config does not exist): the old one says why.
                Result failed = sluicectl(b, admin, "upgrade", "--config", "missing.yaml", "--log", b.resolve("failed.log").toString(),
                        "--wait-timeout", "120s");
                assertEquals(1, failed.exitCode(), failed.toString());
                JsonNode last = old.status().path("handover").path("last");
                assertTrue(last.path("outcome").asText().startsWith("aborted: the new process (pid "), last.toString());
                assertTrue(last.path("outcome").asText().contains("could not start: " + b.resolve("missing.yaml")), last.toString());
                Result status = sluicectl(b, admin, "status");
                assertTrue(status.out().contains("could not start: " + b.resolve("missing.yaml")), status.toString());
                assertTrue(old.output().contains("Upgrade failed, this daemon keeps serving"), old.output());
                assertEquals("app-1", Clients.backendNameVia(proxy), "the old daemon keeps serving");

                Result upgraded = sluicectl(b, admin, "upgrade", "--log", b.resolve("new.log").toString(), "--wait-timeout", "120s");
                String context = upgraded + "\n--- new daemon:\n" + Files.readString(b.resolve("new.log"));
                assertEquals(0, upgraded.exitCode(), context);
                JsonNode now = old.status();
                newPid = now.path("pid").asLong();
                assertNotEquals(old.pid(), newPid, context);
                assertEquals(a.resolve("lb.yaml").toString(), now.path("config_file").asText());
                assertEquals("app-1", Clients.backendNameVia(proxy), "the new process serves");
                assertTrue(old.awaitExit(Duration.ofSeconds(60)) != null, "the old daemon exits once it holds nothing");
            } finally {
                old.close();
                Optional<ProcessHandle> child = ProcessHandle.of(newPid);
                if (child.isPresent()) {
                    child.get().destroy();
                    child.get().onExit().get(20, TimeUnit.SECONDS);
                }
            }
        }
    }

    record Result(int exitCode, String out) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + out;
        }
    }

    /** sluicectl as a process of its own in {@code cwd}; an upgrade starts the daemon with this JVM's class path. */
    private static Result sluicectl(Path cwd, int admin, String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        List<String> command = new ArrayList<>(List.of(java, "-cp", classPath, "io.sluice.cli.SluiceCtl"));
        command.addAll(List.of(args));
        if (args[0].equals("upgrade")) {
            command.addAll(List.of("--exec", java, "--exec-arg", "-cp", "--exec-arg", classPath, "--exec-arg", "io.sluice.Main"));
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        builder.environment().put("SLUICE_ADMIN", "http://127.0.0.1:" + admin);
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "sluicectl finished");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
