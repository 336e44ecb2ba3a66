package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.fixture.AdminApiFixture;
import org.junit.jupiter.api.Test;

/** status, pools, backends, connections, explain: the GET they send and what they print. */
class ReadCommandsTest extends AgainstFixture {
    @Test
    void statusShowsTheDaemonAndItsListeners() {
        Cli.Result r = cli.run("status");
        assertEquals(0, r.exitCode(), r::toString);
        AdminApiFixture.Request req = api.onlyRequest();
        assertEquals("GET", req.method());
        assertEquals("/api/v1/status", req.path());
        assertNull(req.authorization(), "GET calls carry no token");
        assertTrue(r.out().contains("0.1.0"), r::toString);
        assertTrue(r.out().contains("3d04h"), r::toString);
        assertTrue(r.out().contains("tls-in") && r.out().contains("0.0.0.0:443") && r.out().contains("chat, web"), r::toString);
        assertEquals("", r.err());
    }

    @Test
    void statusShowsThePidAndTheHandoverSocket() {
        Cli.Result r = cli.run("status");
        assertTrue(r.out().contains("pid          1200\n"), r::toString);
        assertTrue(r.out().contains("handover     /run/sluice/handover.sock, idle\n"), r::toString);
        api.handoverSocket = null;
        assertTrue(cli.run("status").out().contains("handover     no socket, idle\n"));
    }

    @Test
    void poolsTableHasOneRowPerPoolWithBackendsUpOfTotal() {
        Cli.Result r = cli.run("pools");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("/api/v1/pools", api.onlyRequest().path());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("NAME") && lines[0].contains("BALANCE") && lines[0].contains("FINGERPRINT"), r::toString);
        assertTrue(lines[1].matches("chat\\s+maglev\\s+2/3\\s+52\\s+9f3c2a71d04be8e5"), lines[1]);
        assertTrue(lines[2].matches("web\\s+round-robin\\s+2/2\\s+7\\s+-"), lines[2]);
        assertFalse(r.out().contains("\u001b["), "no colour when stdout is not a terminal");
    }

    @Test
    void jsonOutputIsWhatTheApiServed() throws Exception {
        for (String[] args : new String[][] {
            {"-o", "json", "status"}, {"pools", "-o", "json"}, {"--output=json", "backends", "chat"},
            {"connections", "-o", "json"}, {"explain", "--client", "203.0.113.7", "-o", "json"},
        }) {
            Cli.Result r = cli.run(args);
            assertEquals(0, r.exitCode(), r::toString);
            assertEquals(api.lastServed(), r.json(), String.join(" ", args));
            assertTrue(r.out().contains("\n  "), "pretty-printed");
        }
    }

    @Test
    void backendsShowsEveryBackendOfThePool() {
        Cli.Result r = cli.run("backends", "chat");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("/api/v1/pools/chat", api.onlyRequest().path());
        assertTrue(r.out().startsWith("pool chat: balance maglev, sticky source-ip (1204 entries)"), r::toString);
        for (String header : new String[] {"NAME", "ADDRESS", "HEALTH", "ADMIN", "WEIGHT", "ACTIVE", "TOTAL", "LAST CHECK"}) {
            assertTrue(r.out().contains(header), header);
        }
        assertTrue(r.out().lines().anyMatch(l -> l.matches("app-1\\s+10\\.0\\.1\\.11:9001\\s+up\\s+ready\\s+100/100\\s+40\\s+3401\\s+ok \\ds ago")), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("app-3\\s+10\\.0\\.1\\.13:9001\\s+down\\s+ready\\s+100/0\\s+0\\s+1710\\s+refused .*")), r::toString);
    }

    @Test
    void colourOnlyOnATerminalAndNeverWithNoColor() {
        Cli.Result coloured = cli.terminal(true).run("backends", "chat");
        assertTrue(coloured.out().contains("\u001b[32mup"), coloured::toString);
        assertTrue(coloured.out().contains("\u001b[31mdown"), coloured::toString);
        Cli.Result plain = cli.terminal(true).env("NO_COLOR", "1").run("backends", "chat");
        assertFalse(plain.out().contains("\u001b["), plain::toString);
    }

    @Test
    void connectionsPassesTheFiltersAsQuery() {
        Cli.Result r = cli.run("connections", "--pool", "chat", "--backend", "app-1", "--limit", "10");
        assertEquals(0, r.exitCode(), r::toString);
        AdminApiFixture.Request req = api.onlyRequest();
        assertEquals("/api/v1/connections", req.path());
        assertEquals("pool=chat&backend=app-1&limit=10", req.query());
        assertTrue(r.out().contains("203.0.113.7:51544") && r.out().contains("chat.example.com"), r::toString);
        assertTrue(r.out().contains("1 connection"), r::toString);
    }

    @Test
    void connectionsSaysWhenTheLimitCutsTheList() {
        Cli.Result r = cli.run("connections", "--limit", "2");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("showing 2 of 3 connections"), r::toString);
        assertEquals(2, cli.run("connections", "--limit", "-1").exitCode());
        assertEquals(2, cli.run("connections", "--limit", "10001").exitCode());
    }

    @Test
    void explainSendsClientSniAlpnListener() {
        Cli.Result r = cli.run("explain", "--client", "203.0.113.7", "--sni", "chat.example.com",
                "--alpn", "h2,http/1.1", "--listener", "tls-in");
        assertEquals(0, r.exitCode(), r::toString);
        AdminApiFixture.Request req = api.onlyRequest();
        assertEquals("/api/v1/explain", req.path());
        assertEquals("listener=tls-in&client=203.0.113.7&sni=chat.example.com&alpn=h2,http/1.1", req.query());
        assertTrue(r.out().contains("exact chat.example.com"), r::toString);
        assertTrue(r.out().contains("app-2 (decided by stick-table)"), r::toString);
        assertTrue(r.out().contains("h2, http/1.1"), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("app-3\\s+down")), r::toString);
    }

    @Test
    void explainWithoutClientIsAUsageError() {
        Cli.Result r = cli.run("explain", "--sni", "chat.example.com");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(api.requests().isEmpty());
    }
}
