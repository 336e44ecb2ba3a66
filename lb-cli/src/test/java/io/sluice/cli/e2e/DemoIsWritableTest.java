package io.sluice.cli.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice demo} as a real process: it prints a token file (mode 0600) and the exact sluicectl
 * command lines that use it, and the path of the config copy it runs on; the printed drain works,
 * and an edit of the printed config is applied on SIGHUP and by {@code sluicectl reload}.
 */
class DemoIsWritableTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void thePrintedTokenDrainsAndSighupReloadsThePrintedConfig() throws Exception {
        int web = Ports.freePort();
        int b1 = Ports.freePort();
        int b2 = Ports.freePort();
        int admin = Ports.freePort();
        Path config = dir.resolve("demo.yaml");
        Files.writeString(config, """
                listeners:
                  - { name: web, bind: 127.0.0.1:%d, pool: web }
                pools:
                  web:
                    health: { type: none }
                    backends:
                      - { name: app-1, address: 127.0.0.1:%d }
                      - { name: app-2, address: 127.0.0.1:%d }
                admin:
                  bind: 127.0.0.1:%d
                """.formatted(web, b1, b2, admin));
        InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", web);
        try (DaemonProcess demo = DaemonProcess.launch().adminPort(admin).start(dir, "demo", "--config", config.toString())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> demo.output().contains("Access log lines"));
            String out = demo.output();
            Path token = Path.of(find(out, "Admin token for changes \\(mode 0600\\): (\\S+)"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
            Path copy = Path.of(find(out, "The demo runs on a copy of its config: (\\S+)"));
            assertTrue(out.contains("Edit it, then reload: kill -HUP " + demo.pid()), out);

            // The printed command line, as printed (after the launcher).
            String[] drain = args(find(out, "Drain a backend: +java -jar \\S+ (.+)"));
            assertEquals("--token-file", drain[2], Arrays.toString(drain));
            Sluicectl.Result drained = new Sluicectl().run(drain);
            assertEquals(0, drained.exitCode(), drained.toString());
            for (int i = 0; i < 6; i++) {
                assertEquals("app-2", reached(proxy), "app-1 is drained");
            }
            Sluicectl.Result undrained = new Sluicectl().run(args(find(out, "Undrain it: +java -jar \\S+ (.+)")));
            assertEquals(0, undrained.exitCode(), undrained.toString());

            // Edit the printed config (app-2 leaves the pool) and send SIGHUP: the change is applied.
            String text = Files.readString(copy);
            Files.writeString(copy, text.replaceAll("(?m)^.*name: app-2.*\\n", ""));
            assertTrue(demo.signal("HUP"));
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> demo.output().contains("Reloaded " + copy));
            for (int i = 0; i < 6; i++) {
                assertEquals("app-1", reached(proxy), "app-2 left the pool on SIGHUP");
            }

            // And the printed reload command (the admin API) re-reads it too.
            Files.writeString(copy, text.replaceAll("(?m)^.*name: app-1.*\\n", ""));
            Sluicectl.Result reloaded = new Sluicectl().run(args(find(out, "Reload: +java -jar \\S+ (.+)")));
            assertEquals(0, reloaded.exitCode(), reloaded.toString());
            for (int i = 0; i < 6; i++) {
                assertEquals("app-2", reached(proxy), "app-1 left the pool on reload");
            }

            demo.terminate();
            assertEquals(0, demo.awaitExit(Duration.ofSeconds(30)));
            assertFalse(Files.exists(copy.getParent()), "the demo removes its files when it stops");
        }
    }

    /** The backend a new connection reaches (the echo backend's greeting is "hello from NAME; ..."). */
    private static String reached(InetSocketAddress proxy) throws IOException {
        String greeting = Clients.backendNameVia(proxy);
        Matcher m = Pattern.compile("hello from ([\\w-]+)").matcher(greeting);
        return m.find() ? m.group(1) : greeting;
    }

    private static String find(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        assertTrue(m.find(), "expected /" + regex + "/ in:\n" + out);
        return m.group(1).trim();
    }

    private static String[] args(String commandLine) {
        return commandLine.trim().split(" +");
    }
}
