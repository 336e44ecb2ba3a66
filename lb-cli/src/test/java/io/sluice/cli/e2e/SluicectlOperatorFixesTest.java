package io.sluice.cli.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.SluiceExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CLI rough edges of issue 16 item 8, against a real daemon process: completion names from the
 * running daemon (and none, quickly and silently, when it is down or silent), {@code connections --limit 0},
 * and the drain deadline as a clock time.
 */
class SluicectlOperatorFixesTest {

    private static final String TOKEN = "e2e-admin-token";

    @RegisterExtension
    final SluiceExtension daemon = SluiceExtension.builder()
            .backend("a").backend("b").adminToken(TOKEN + "\n").build();

    private Sluicectl ctl;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        ctl = new Sluicectl().env("SLUICE_ADMIN", daemon.adminUrl())
                .env("SLUICE_TOKEN_FILE", daemon.tokenFile().toString());
    }

    @AfterEach
    void closeClients() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
    }

    @Test
    void completionNamesComeFromTheRunningDaemon() {
        Sluicectl.Result pools = ctl.run("__complete", "pools");
        assertEquals(0, pools.exitCode(), pools::toString);
        assertEquals("main\n", pools.out());
        Sluicectl.Result backends = ctl.run("__complete", "backends");
        assertEquals(0, backends.exitCode(), backends::toString);
        assertEquals("main/a\nmain/b\n", backends.out());
        assertEquals("", backends.err());
    }

    @Test
    void completionWithTheDaemonDownPrintsNothing() throws Exception {
        int port = daemon.adminPort();
        daemon.close();
        Sluicectl.Result r = ctl.env("SLUICE_ADMIN", "http://127.0.0.1:" + port).run("__complete", "backends");
        assertEquals(3, r.exitCode(), r::toString);
        assertEquals("", r.out());
        assertEquals("", r.err(), "nothing may land on the terminal during a tab press");
    }

    @Test
    void completionGivesUpOnASilentServerWhateverTimeoutSays() throws Exception {
        // Accepts the connection, never answers: without the cap, --timeout 5m would hang the tab press.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Sluicectl.Result r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ctl
                    .env("SLUICE_ADMIN", "http://127.0.0.1:" + silent.getLocalPort())
                    .run("--timeout", "5m", "__complete", "pools"));
            assertEquals(7, r.exitCode(), r::toString); // connected, no answer (ExitCodes.NO_ANSWER)
            assertEquals("", r.out() + r.err());
        }
    }

    @Test
    void theCompletionScriptAsksForNamesWhereTheModelHasThem() {
        Sluicectl.Result r = ctl.run("generate-completion");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("__complete \"$1\""), "the script calls the hidden command");
        assertTrue(r.out().contains("\" drain undrain maint ready weight \" == *\" $cmd \"*"), r.out());
        assertTrue(r.out().contains("\" backends \" == *\" $cmd \"*"), r.out());
        assertTrue(r.out().contains("complete -F _sluicectl_complete_names -o default sluicectl"), r.out());
        assertFalse(ctl.run("--help").out().contains("__complete"), "hidden from the usage");
    }

    @Test
    void connectionsLimitZeroListsNoneButCountsThem() throws Exception {
        Socket s = Clients.connect(daemon.address());
        clients.add(s);
        Clients.readLine(s);
        await().atMost(Duration.ofSeconds(10)).until(() -> ctl.run("-o", "json", "connections").json()
                .path("total").asInt() == 1);

        Sluicectl.Result json = ctl.run("-o", "json", "connections", "--limit", "0");
        assertEquals(0, json.exitCode(), json::toString);
        assertEquals(0, json.json().path("connections").size(), json::toString);
        assertEquals(1, json.json().path("total").asInt(), json::toString);

        Sluicectl.Result table = ctl.run("connections", "--limit", "0");
        assertEquals(0, table.exitCode(), table::toString);
        assertTrue(table.out().endsWith("showing 0 of 1 connections (raise --limit to see more)\n"), table::toString);
    }

    @Test
    void drainDeadlineIsAClockTimeNotANanosecondTimestamp() {
        Sluicectl.Result r = ctl.run("drain", "main/a", "--deadline", "10m");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().matches("(?s)main/a is draining: 0 connections open, the rest closed from"
                + " \\d\\d:\\d\\d:\\d\\d UTC \\(in (10m|9m59s)\\)\n.*"), r::toString);
    }
}
