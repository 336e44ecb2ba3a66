package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.fixture.AdminApiFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** reload: the summary on success; every error and exit 1 when the config is rejected. */
class ReloadCommandTest extends AgainstFixture {
    @Test
    void reloadPrintsTheSummary() {
        Cli.Result r = cli.run("reload");
        assertEquals(0, r.exitCode(), r::toString);
        AdminApiFixture.Request req = api.onlyRequest();
        assertEquals("POST", req.method());
        assertEquals("/api/v1/reload", req.path());
        assertEquals("Bearer " + AdminApiFixture.TOKEN, req.authorization());
        assertEquals("reloaded: pools: chat changed (app-4 added); listeners unchanged\n", r.out());
    }

    @Test
    void reloadJsonIsTheReloadResult() throws Exception {
        Cli.Result r = cli.run("reload", "-o", "json");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(api.lastServed(), r.json());
    }

    @Test
    void aRejectedReloadPrintsEveryErrorAndExits1() {
        api.reloadErrors = List.of(
                "/etc/sluice/sluice.yaml:12: pools.chat.backends[1].weight: -5 (expected 0..1000)",
                "/etc/sluice/sluice.yaml:31: listeners.tls-in.routes[0].pool: 'chatt' is not a pool (pools: chat, web)");
        Cli.Result r = cli.run("reload");
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals("", r.out());
        assertEquals("sluicectl: the new config has 2 errors; the running config is kept\n"
                + "sluicectl:   /etc/sluice/sluice.yaml:12: pools.chat.backends[1].weight: -5 (expected 0..1000)\n"
                + "sluicectl:   /etc/sluice/sluice.yaml:31: listeners.tls-in.routes[0].pool: 'chatt' is not a pool"
                + " (pools: chat, web)\n", r.err());
    }

    @Test
    void aRejectedReloadInJsonModeAlsoPrintsTheProblem() throws Exception {
        api.reloadErrors = List.of("/etc/sluice/sluice.yaml:12: pools.chat.backends[1].weight: -5 (expected 0..1000)");
        Cli.Result r = cli.run("reload", "-o", "json");
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals(api.lastServed(), r.json());
        assertEquals(422, r.json().get("status").asInt());
        assertTrue(r.err().contains("weight: -5"), r::toString);
    }
}
