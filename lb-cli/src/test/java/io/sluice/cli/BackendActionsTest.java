package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.fixture.AdminApiFixture;
import org.junit.jupiter.api.Test;

/** drain, undrain, ready, maint, weight: the POST they send (path, body, bearer token) and their output. */
class BackendActionsTest extends AgainstFixture {
    @Test
    void drainPostsDeadlineAndCloseRateWithTheTrimmedToken() {
        Cli.Result r = cli.run("drain", "chat/app-1", "--deadline", "10m", "--close-rate", "100/s");
        assertEquals(0, r.exitCode(), r::toString);
        AdminApiFixture.Request req = api.onlyRequest();
        assertEquals("POST", req.method());
        assertEquals("/api/v1/pools/chat/backends/app-1/drain", req.path());
        assertEquals("Bearer " + AdminApiFixture.TOKEN, req.authorization());
        assertEquals("{\"deadline\":\"10m\",\"close_rate\":100}", req.body());
        assertTrue(r.out().startsWith("chat/app-1 is draining: 40 connections open, the rest closed from"), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("app-1\\s+10\\.0\\.1\\.11:9001\\s+up\\s+drain\\s+100/0\\s+40.*")), r::toString);
    }

    @Test
    void drainWithoutOptionsSendsNoBody() {
        Cli.Result r = cli.run("drain", "chat/app-2");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("", api.onlyRequest().body());
        assertTrue(r.out().contains("no deadline"), r::toString);
    }

    @Test
    void closeRateIsAPlainNumberPerSecond() throws Exception {
        assertEquals(0, cli.run("drain", "chat/app-2", "--close-rate", "250").exitCode());
        assertEquals("{\"close_rate\":250}", api.onlyRequest().body());
    }

    @Test
    void badDurationsAndRatesAreUsageErrors() {
        assertEquals(2, cli.run("drain", "chat/app-2", "--deadline", "10 minutes").exitCode());
        assertEquals(2, cli.run("drain", "chat/app-2", "--close-rate", "fast").exitCode());
        assertEquals(2, cli.run("drain", "chat/app-2", "--close-rate", "0").exitCode());
        assertEquals(2, cli.run("drain", "chat/app-2", "--close-rate", "600/m").exitCode());
        assertEquals(2, cli.run("drain", "chat/app-2", "--deadline", "2d").exitCode());
        assertEquals(2, cli.run("drain", "chat/app-2", "--wait-timeout", "1s").exitCode(), "--wait-timeout needs --wait");
        assertEquals(2, cli.run("--timeout", "forever", "pools").exitCode());
        assertTrue(api.requests().isEmpty());
    }

    @Test
    void drainJsonIsTheBackendViewServed() throws Exception {
        Cli.Result r = cli.run("drain", "chat/app-1", "-o", "json");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(api.lastServed(), r.json());
        assertEquals("drain", r.json().get("admin").asText());
    }

    @Test
    void undrainAndReadyPostTheirOwnEndpoints() {
        Cli.Result undrain = cli.run("undrain", "chat/app-2");
        assertEquals(0, undrain.exitCode(), undrain::toString);
        assertTrue(undrain.out().startsWith("chat/app-2 is ready: takes new connections"), undrain::toString);
        Cli.Result ready = cli.run("ready", "chat/app-3");
        assertEquals(0, ready.exitCode(), ready::toString);
        assertTrue(ready.out().startsWith("chat/app-3 is ready: takes no new connections (health down)"), ready::toString);
        assertEquals("/api/v1/pools/chat/backends/app-2/undrain", api.requests().get(0).path());
        assertEquals("/api/v1/pools/chat/backends/app-3/ready", api.requests().get(1).path());
        assertEquals("", api.requests().get(1).body());
        api.requests().forEach(r -> assertEquals("Bearer " + AdminApiFixture.TOKEN, r.authorization()));
    }

    @Test
    void maintSendsKillOnlyWhenAsked() {
        assertEquals(0, cli.run("maint", "web/web-1").exitCode());
        Cli.Result kill = cli.run("maint", "web/web-2", "--kill");
        assertEquals(0, kill.exitCode(), kill::toString);
        assertEquals("", api.requests().get(0).body());
        assertEquals("/api/v1/pools/web/backends/web-2/maint", api.requests().get(1).path());
        assertEquals("{\"kill\":true}", api.requests().get(1).body());
        assertTrue(kill.out().contains("web/web-2 is in maintenance"), kill::toString);
    }

    @Test
    void weightPostsTheNumber() {
        Cli.Result r = cli.run("weight", "chat/app-1", "50");
        assertEquals(0, r.exitCode(), r::toString);
        AdminApiFixture.Request req = api.onlyRequest();
        assertEquals("/api/v1/pools/chat/backends/app-1/weight", req.path());
        assertEquals("{\"weight\":50}", req.body());
        assertTrue(r.out().startsWith("chat/app-1 weight 50 (configured 100, effective 50)"), r::toString);
        assertTrue(r.out().contains("50*/50"), "an override is marked: " + r);
    }

    @Test
    void weightOutOfRangeIsRefusedBeforeAnyRequest() {
        Cli.Result r = cli.run("weight", "chat/app-1", "5000");
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals("sluicectl: weight 5000 (expected 0..1000)\n", r.err());
        assertTrue(api.requests().isEmpty());
    }

    @Test
    void readCommandsNeedNoToken() {
        Cli.Result r = cli.env("SLUICE_TOKEN_FILE", null).run("backends", "web");
        assertEquals(0, r.exitCode(), r::toString);
        assertNull(api.onlyRequest().authorization());
    }
}
