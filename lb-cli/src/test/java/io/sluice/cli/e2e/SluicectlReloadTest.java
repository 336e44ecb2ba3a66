package io.sluice.cli.e2e;

import static io.sluice.cli.e2e.SluicectlAgainstDaemonTest.assertLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.ConfigLoader;
import io.sluice.daemon.SluiceDaemon;
import io.sluice.harness.Clients;
import io.sluice.harness.ConfigText;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluicectl reload} against a daemon started from a real config file (YAML in a temp dir,
 * with a relative {@code admin.token-file}): a valid edit is applied, an invalid one is rejected
 * with every error and the running config kept.
 */
class SluicectlReloadTest {

    private static final String TOKEN = "reload-token";

    @TempDir
    Path dir;

    private TestBackend a;
    private TestBackend b;
    private TestBackend c;
    private Path config;
    private int listenPort;
    private int adminPort;
    private SluiceDaemon daemon;
    private Sluicectl ctl;

    @BeforeEach
    void start() throws Exception {
        a = TestBackend.namedEcho("a");
        b = TestBackend.namedEcho("b");
        c = TestBackend.namedEcho("c");
        Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        listenPort = Ports.freePort();
        adminPort = Ports.freePort();
        config = dir.resolve("sluice.yaml");
        Files.writeString(config, yaml(List.of(a, b), 100));
        daemon = SluiceDaemon.start(ConfigLoader.load(config));
        ctl = new Sluicectl().env("SLUICE_ADMIN", "127.0.0.1:" + adminPort) // bare host:port gets http://
                .env("SLUICE_TOKEN_FILE", dir.resolve("admin.token").toString());
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.stop(Duration.ZERO);
        }
        for (TestBackend t : new TestBackend[] {a, b, c}) {
            if (t != null) {
                t.close();
            }
        }
    }

    @Test
    void reloadAppliesAValidConfigAndRejectsAnInvalidOne() throws Exception {
        Sluicectl.Result status = ctl.run("status");
        assertEquals(0, status.exitCode(), status::toString);
        assertLine(status.out(), "config\\s+" + Pattern.quote(config.toString()));
        assertLine(status.out(), "main\\s+127\\.0\\.0\\.1:" + listenPort + "\\s+tcp\\s+main");

        // Add backend c and change b's weight.
        Files.writeString(config, yaml(List.of(a, b, c), 30));
        Sluicectl.Result r = ctl.run("reload");
        assertEquals(0, r.exitCode(), r::toString);
        // docs/sluicectl.md shows what changed ("pools: chat changed (app-4 added); ..."); the daemon's
        // summary today is the config's size ("1 listener, 1 pool, 3 backends"), so only the verb is checked.
        assertTrue(r.out().startsWith("reloaded"), r::toString);
        assertEquals(1, r.out().lines().count(), r::toString);
        Sluicectl.Result backends = ctl.run("backends", "main");
        assertLine(backends.out(), "c\\s+127\\.0\\.0\\.1:" + c.address().getPort() + "\\s+up\\s+ready\\s+100/100\\s+.*");
        assertLine(backends.out(), "b\\s+\\S+\\s+up\\s+ready\\s+30/30\\s+.*");
        assertEquals(3, daemon.pool("main").backends().size());
        // The listener kept its port, and c now takes connections.
        boolean reachedC = false;
        for (int i = 0; i < 10 && !reachedC; i++) {
            reachedC = "c".equals(Clients.backendNameVia(new InetSocketAddress("127.0.0.1", listenPort)));
        }
        assertTrue(reachedC, "c takes connections after the reload");

        // An invalid file: two errors, exit 1, the running config stays.
        Files.writeString(config, yaml(List.of(a, b, c), -5).replace("balance: round-robin", "balance: round-robbin"));
        Sluicectl.Result rejected = ctl.run("reload");
        assertEquals(1, rejected.exitCode(), rejected::toString);
        // docs/sluicectl.md: "the new config has 2 errors; the running config is kept" (reported: the CLI
        // says "the new config is invalid; the running one is kept").
        assertTrue(rejected.err().startsWith("sluicectl: the new config "), rejected::toString);
        assertEquals(3, rejected.err().lines().count(), "a summary, then one line per error: " + rejected);
        assertTrue(rejected.err().contains("weight"), rejected::toString);
        assertTrue(rejected.err().contains("round-robbin"), rejected::toString);
        assertTrue(rejected.err().contains(config.toString() + ":"), "errors name the file and line: " + rejected);
        assertEquals(3, daemon.pool("main").backends().size());

        Sluicectl.Result json = ctl.run("reload", "-o", "json");
        assertEquals(1, json.exitCode(), json::toString);
        JsonNode problem = json.json();
        assertEquals(422, problem.path("status").asInt(), json::toString);
        assertEquals(2, problem.path("errors").size(), json::toString);
    }

    @Test
    void reloadNeedsTheToken() throws IOException {
        Path wrong = dir.resolve("wrong.token");
        Files.writeString(wrong, "nope\n");
        Files.writeString(config, yaml(List.of(a, b, c), 100));
        Sluicectl.Result r = ctl.run("reload", "--token-file", wrong.toString());
        assertEquals(4, r.exitCode(), r::toString);
        assertEquals(2, daemon.pool("main").backends().size(), "nothing was reloaded");
    }

    private String yaml(List<TestBackend> backends, int weightOfB) {
        ConfigText config = ConfigText.create().listener("main", listenPort, "main").pool("main", "round-robin");
        for (TestBackend t : backends) {
            config.backend("main", t.name(), t.address(), t == b ? weightOfB : 100);
        }
        return config.admin(adminPort, Path.of("admin.token")).render(); // relative to the config's directory
    }
}
