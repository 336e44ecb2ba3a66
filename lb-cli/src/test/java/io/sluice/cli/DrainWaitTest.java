package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.fixture.AdminApiFixture;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** drain --wait: polls the pool until the backend's connections reach zero, or gives up. */
class DrainWaitTest extends AgainstFixture {
    @Test
    void waitsUntilNoConnectionsAreLeft() {
        api.drainStep = 10; // app-1 has 40: 30, 20, 10, 0
        Cli.Result r = cli.run("drain", "chat/app-1", "--deadline", "10m", "--wait");
        assertEquals(0, r.exitCode(), r::toString);
        List<AdminApiFixture.Request> requests = api.requests();
        assertEquals("POST", requests.get(0).method());
        assertEquals(5, requests.size(), "the drain, then four polls: " + requests);
        requests.subList(1, 5).forEach(q -> {
            assertEquals("GET", q.method());
            assertEquals("/api/v1/pools/chat", q.path());
        });
        // Not a terminal: one line per change, no carriage returns.
        assertEquals("chat/app-1: 40 left of 40\nchat/app-1: 30 left of 40\nchat/app-1: 20 left of 40\n"
                + "chat/app-1: 10 left of 40\nchat/app-1: 0 left of 40\n", r.err());
        assertTrue(r.out().endsWith("chat/app-1 is drained: no connections left\n"), r::toString);
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlace() {
        api.drainStep = 20;
        Cli.Result r = cli.terminal(true).run("drain", "chat/app-1", "--wait");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("\rchat/app-1 [..............................] 40 left of 40"), r::toString);
        assertTrue(r.err().contains("\rchat/app-1 [###############...............] 20 left of 40"), r::toString);
        // One blank wipes the digit the longer "20 left" line left behind; a newline ends the bar.
        assertTrue(r.err().endsWith("\rchat/app-1 [##############################] 0 left of 40 \n"), r::toString);
    }

    @Test
    void linesOnlyWhenTheCountChanges() {
        api.drainStep = 0;
        Cli.Result r = cli.run("drain", "chat/app-2", "--wait", "--wait-timeout", "200ms");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(api.requests().size() > 2, "it kept polling: " + api.requests());
        assertTrue(r.err().startsWith("chat/app-2: 12 left of 12\nsluicectl: chat/app-2: --wait-timeout 200ms passed with 12"
                + " connections still open (the backend stays in drain)"), r::toString);
    }

    /** Issue 14, item 3: the deadline does not end the wait; the paced close that follows it is watched to zero. */
    @Test
    void pastTheDeadlineTheWaitFollowsThePacedCloseToZero() {
        api.drainStep = 20;
        api.drainDeadline = Instant.now().minusSeconds(5).toString();
        Cli.Result r = cli.run("drain", "chat/app-1", "--wait");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().matches("(?s).*chat/app-1: the drain deadline \\d\\d:\\d\\d:\\d\\d \\S+"
                + " passed with 40 connections open; the daemons close them at the close rate; still waiting.*"), r::toString);
        assertTrue(r.err().endsWith("chat/app-1: 0 left of 40\n"), r::toString);
        assertTrue(r.out().endsWith("chat/app-1 is drained: no connections left\n"), r::toString);
    }

    @Test
    void aBackendWithNoConnectionsIsDrainedAtOnce() {
        Cli.Result r = cli.run("drain", "chat/app-3", "--wait");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(1, api.requests().size(), "no poll needed");
    }

    @Test
    void jsonModeKeepsStdoutAParseableDocument() throws Exception {
        api.drainStep = 40;
        Cli.Result r = cli.run("drain", "chat/app-1", "--wait", "-o", "json");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(40, r.json().get("active_connections").asInt(), "the drain call's BackendView");
        assertFalse(r.out().contains("drained"), r::toString);
        assertTrue(r.err().endsWith("chat/app-1 is drained: no connections left\n"), r::toString);
    }

    @Test
    void stopsWhenSomeoneUndrainsTheBackend() {
        api.drainStep = 0;
        api.undrainAfterPolls = 2;
        Cli.Result r = cli.run("drain", "chat/app-1", "--wait", "--wait-timeout", "5s");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().contains("chat/app-1 is no longer draining (admin: ready"), r::toString);
    }

    /**
     * Issue 14, item 3: with the fleet named, the progress is the sum over every node and shows each
     * node's count; "no connections left" only once the other node has none either.
     */
    @Test
    void withTheFleetTheProgressIsTheSumOverEveryNode() throws Exception {
        try (AdminApiFixture other = new AdminApiFixture()) {
            other.backend("chat", "app-1").put("admin", "drain").put("active_connections", 30);
            other.drainStep = 5; // 30 -> 0 in six polls; this node's 40 -> 0 in two
            api.drainStep = 20;
            Cli.Result r = cli.run("drain", "chat/app-1", "--wait", "--fleet", other.url());
            assertEquals(0, r.exitCode(), r::toString);
            String here = api.url().substring("http://".length());
            String there = other.url().substring("http://".length());
            assertTrue(r.err().startsWith("chat/app-1: 65 left of 65 (" + here + " 40, " + there + " 25)\n"), r::toString);
            assertTrue(r.err().contains("chat/app-1: 15 left of 65 (" + here + " 0, " + there + " 15)\n"), r::toString);
            assertTrue(r.err().endsWith("chat/app-1: 0 left of 65 (" + here + " 0, " + there + " 0)\n"), r::toString);
            assertTrue(r.out().endsWith("chat/app-1 is drained: no connections left on 2 nodes\n"), r::toString);
        }
    }

    @Test
    void aNodeWithoutTheDrainOrWithoutAnAnswerKeepsTheWaitGoing() throws Exception {
        String gone;
        try (AdminApiFixture stopped = new AdminApiFixture()) {
            gone = stopped.url();
        }
        try (AdminApiFixture other = new AdminApiFixture()) {
            other.backend("chat", "app-3").put("admin", "ready"); // no connections, but not draining: it takes new ones
            Cli.Result r = cli.env("SLUICE_FLEET", other.url() + "," + gone)
                    .run("drain", "chat/app-3", "--wait", "--wait-timeout", "300ms");
            assertEquals(1, r.exitCode(), r::toString);
            assertTrue(r.err().startsWith("chat/app-3: 0 left of 0 (" + api.url().substring(7) + " 0, "
                    + other.url().substring(7) + " 0 not draining, " + gone.substring(7) + " unreachable)\n"), r::toString);
            assertFalse(r.out().contains("drained"), r::toString);
        }
    }

    /** With a shared store and no --fleet, the last line says only this node was counted. */
    @Test
    void withASharedStoreAndNoFleetTheEndSaysOnlyThisNodeWasWatched() {
        api.backend("chat", "app-1").putObject("shared_store").put("state", "stored").put("detail", "in the shared store");
        api.drainStep = 40;
        Cli.Result r = cli.run("drain", "chat/app-1", "--wait");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().endsWith("chat/app-1 is drained on this node: no connections left here; the other nodes"
                + " sharing its state store were not watched (name their admin addresses with --fleet or SLUICE_FLEET)\n"),
                r::toString);
    }

    @Test
    void aFleetAddressThatIsNoUrlIsAUsageError() {
        Cli.Result r = cli.run("drain", "chat/app-1", "--wait", "--fleet", "ftp://x:1");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("--fleet: 'ftp://x:1' is not an http:// URL"), r::toString);
        assertEquals(List.of(), api.requests(), "nothing sent");
    }
}
