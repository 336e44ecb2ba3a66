package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Ports;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared flags: before or after the command, flag over environment over default. */
class OptionsTest extends AgainstFixture {
    @Test
    void flagsWorkBeforeAndAfterTheCommand() throws Exception {
        Cli.Result before = cli.env("SLUICE_ADMIN", null).run("--admin", api.url(), "-o", "json", "pools");
        Cli.Result after = cli.env("SLUICE_ADMIN", null).run("pools", "--admin", api.url(), "-o", "json");
        assertEquals(0, before.exitCode(), before::toString);
        assertEquals(before.json(), after.json());
    }

    @Test
    void theFlagNearestTheCommandWins() throws IOException {
        int closed = Ports.freePort();
        Cli.Result r = cli.run("--admin", "http://127.0.0.1:" + closed, "pools", "--admin", api.url());
        assertEquals(0, r.exitCode(), r::toString);
    }

    @Test
    void theFlagBeatsTheEnvironment() throws IOException {
        int closed = Ports.freePort();
        Cli.Result r = cli.env("SLUICE_ADMIN", "http://127.0.0.1:" + closed).run("--admin", api.url() + "/", "pools");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("/api/v1/pools", api.onlyRequest().path(), "a trailing slash is dropped");
    }

    @Test
    void withoutFlagOrEnvironmentTheDefaultAddressIsUsed() {
        AdminOptions.Resolved resolved = new AdminOptions().resolve(
                new CliContext(Map.of(), false, false, Clock.systemUTC(), CliContext.DEFAULT_POLL_INTERVAL));
        assertEquals("http://127.0.0.1:9900", resolved.admin());
        assertEquals(AdminOptions.Output.table, resolved.output());
        assertEquals(Duration.ofSeconds(5), resolved.timeout());
    }

    @Test
    void outputFormatIsCaseInsensitive() {
        assertEquals(0, cli.run("-o", "JSON", "status").exitCode());
    }

    @Test
    void helpListsEveryCommandAndTheExitCodes() {
        Cli.Result r = cli.run("--help");
        for (String c : new String[] {"status", "pools", "backends", "drain", "undrain", "maint", "ready", "weight",
            "connections", "explain", "reload", "generate-completion"}) {
            assertTrue(r.out().contains("  " + c + " "), c + " in " + r);
        }
        assertTrue(r.out().contains("Exit codes:"), r::toString);
        assertEquals(0, cli.run("drain", "--help").exitCode());
    }
}
