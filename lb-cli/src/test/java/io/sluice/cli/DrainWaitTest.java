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

    @Test
    void aDeadlineInThePastEndsTheWaitWithExit1() {
        api.drainStep = 0;
        api.drainDeadline = Instant.now().minusSeconds(5).toString();
        Cli.Result r = cli.run("drain", "chat/app-1", "--wait");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(r.err().matches("(?s).*sluicectl: chat/app-1: the drain deadline \\d\\d:\\d\\d:\\d\\d UTC"
                + " passed with 40 connections still open.*"), r::toString);
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
}
