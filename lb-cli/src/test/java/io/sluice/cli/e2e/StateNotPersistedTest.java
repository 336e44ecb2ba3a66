package io.sluice.cli.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.harness.ConfigText;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon process whose state file's directory does not exist: it says so at start, a drain is
 * applied with a visible "not persisted" answer and sluicectl exits 6 (not 0), the status shows the
 * local store as not writable; once the directory exists, the next change is kept again.
 */
class StateNotPersistedTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aChangeThatCannotBeKeptIsAppliedSaysSoAndExitsSix() throws Exception {
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "s3cret\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path stateDir = dir.resolve("state-dir");
        Path state = stateDir.resolve("sluice.state.json");
        int admin = Ports.freePort();
        Path config = dir.resolve("lb.yaml");
        ConfigText.create().listener("edge", Ports.freePort(), "app").pool("app", "round-robin")
                .backend("app", "app-1", Ports.deadAddress(), 100).admin(admin, token)
                .section("state: { file: \"" + state + "\" }").writeTo(config);
        try (DaemonProcess p = DaemonProcess.launch().adminPort(admin).start(dir, "run", "--config", config.toString())) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> p.status().path("pid").asLong() == p.pid());
            assertTrue(p.output().contains("state file " + state + ": its directory " + stateDir + " does not exist"), p.output());

            Sluicectl ctl = new Sluicectl().env("SLUICE_ADMIN", "127.0.0.1:" + admin).env("SLUICE_TOKEN_FILE", token.toString());
            Sluicectl.Result drained = ctl.run("drain", "app/app-1");
            assertEquals(6, drained.exitCode(), drained.toString());
            assertTrue(drained.out().contains("applied on this node now, but NOT kept: state file " + state
                    + ": its directory " + stateDir + " does not exist"), drained.toString());
            assertEquals("drain", p.adminJson("/api/v1/pools/app").path("backends").get(0).path("admin").asText(),
                    "applied all the same");
            JsonNode store = p.status().path("shared_store");
            assertEquals("local", store.path("store").asText(), store.toString());
            assertFalse(store.path("reachable").asBoolean(), store.toString());

            Sluicectl.Result json = ctl.run("undrain", "app/app-1", "-o", "json");
            assertEquals(6, json.exitCode(), json.toString());
            assertEquals("not-persisted", json.json().path("shared_store").path("state").asText(), json.toString());

            Files.createDirectory(stateDir);
            Sluicectl.Result kept = ctl.run("drain", "app/app-1");
            assertEquals(0, kept.exitCode(), kept.toString());
            assertTrue(Files.readString(state).contains("app/app-1"), "kept in the state file now");
            assertTrue(p.status().path("shared_store").path("reachable").asBoolean());
        }
    }
}
