package io.sluice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.StateConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admin overrides in a local state file survive a restart of the daemon. */
class StateFileTest {

    @TempDir
    Path dir;

    /** A weight change during a drain keeps the drain's close rate in the file (the deadline after a restart uses it). */
    @Test
    void aWeightChangeDuringADrainKeepsItsCloseRate() throws Exception {
        Path stateFile = dir.resolve("sluice.state.json");
        try (TestBackend a = TestBackend.namedEcho("a");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a)
                     .admin(AdminClient.adminConfig(dir)).state(new StateConfig("local", stateFile)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            assertEquals(200, api.post("/api/v1/pools/main/backends/a/drain", "{\"deadline\":\"1h\",\"close_rate\":5}").status());
            assertEquals(5.0, new ObjectMapper().readTree(stateFile.toFile()).path("overrides").path("main/a").path("close_rate").asDouble());
            assertEquals(200, api.post("/api/v1/pools/main/backends/a/weight", "{\"weight\": 10}").status());
            JsonNode stored = new ObjectMapper().readTree(stateFile.toFile()).path("overrides").path("main/a");
            assertEquals("drain", stored.path("admin").asText(), stored.toString());
            assertEquals(10, stored.path("weight").asInt(), stored.toString());
            assertEquals(5.0, stored.path("close_rate").asDouble(), "close rate kept: " + stored);
        }
    }

    @Test
    void aDrainAndAWeightSurviveARestartBeforeAnyTraffic() throws Exception {
        Path stateFile = dir.resolve("sluice.state.json");
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             TestBackend c = TestBackend.namedEcho("c")) {
            SluiceConfig config = TestConfigs.builder().backend(a).backend(b).backend(c)
                    .admin(AdminClient.adminConfig(dir))
                    .state(new StateConfig("local", stateFile))
                    .build();

            String deadline;
            try (RunningDaemon first = RunningDaemon.start(config)) {
                AdminClient api = new AdminClient(first.daemon().adminAddress());
                AdminClient.Answer drain = api.post("/api/v1/pools/main/backends/a/drain", "{\"deadline\":\"1h\"}");
                assertEquals(200, drain.status(), drain.toString());
                deadline = drain.json().path("drain_deadline").asText();
                assertEquals(200, api.post("/api/v1/pools/main/backends/b/weight", "{\"weight\": 50}").status());
                assertEquals(200, api.post("/api/v1/pools/main/backends/c/maint", null).status());
            }
            JsonNode stored = new ObjectMapper().readTree(stateFile.toFile()).path("overrides");
            assertEquals("drain", stored.path("main/a").path("admin").asText(), stored.toString());
            assertEquals(50, stored.path("main/b").path("weight").asInt(), stored.toString());
            assertEquals("maint", stored.path("main/c").path("admin").asText(), stored.toString());

            try (RunningDaemon second = RunningDaemon.start(config)) {
                AdminClient api = new AdminClient(second.daemon().adminAddress());
                JsonNode viewA = api.backend("main", "a");
                assertEquals("drain", viewA.path("admin").asText(), "restored before any traffic: " + viewA);
                assertEquals(deadline, viewA.path("drain_deadline").asText(), "the deadline is kept: " + viewA);
                assertFalse(viewA.path("eligible").asBoolean(true), viewA.toString());
                JsonNode viewB = api.backend("main", "b");
                assertEquals(50, viewB.path("weight").asInt(), viewB.toString());
                assertEquals("ready", viewB.path("admin").asText(), viewB.toString());
                JsonNode viewC = api.backend("main", "c");
                assertEquals("maint", viewC.path("admin").asText(), "restored: " + viewC);
                assertTrue(Ops.namesOf(second.address(), 10).stream().allMatch("b"::equals));

                // Ready again: the override is gone from the file, and from the next start.
                assertEquals(200, api.post("/api/v1/pools/main/backends/a/ready", null).status());
            }
            JsonNode after = new ObjectMapper().readTree(stateFile.toFile()).path("overrides");
            assertTrue(after.path("main/a").isMissingNode(), after.toString());
            assertFalse(Files.exists(dir.resolve("sluice.state.json.tmp")), "no temp file left behind");
            try (RunningDaemon third = RunningDaemon.start(config)) {
                AdminClient api = new AdminClient(third.daemon().adminAddress());
                assertEquals("ready", api.backend("main", "a").path("admin").asText());
                assertEquals("maint", api.backend("main", "c").path("admin").asText());
                assertEquals(50, api.backend("main", "b").path("weight").asInt());
            }
        }
    }
}
