package io.sluice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weight overrides through the admin API, and what a drain does to sticky (Maglev) clients. */
class WeightTest {

    @TempDir
    Path dir;

    @Test
    void weightZeroTakesNoNewConnectionsKeepsOpenOnesAndWeightBackRestores() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            try (Ops.Held held = Ops.open(daemon.address())) {
                String target = held.backend();
                String other = target.equals("a") ? "b" : "a";

                AdminClient.Answer zero = api.post("/api/v1/pools/main/backends/" + target + "/weight", "{\"weight\": 0}");
                assertEquals(200, zero.status(), zero.toString());
                JsonNode view = zero.json();
                assertEquals(0, view.path("weight").asInt(-1), zero.body());
                assertEquals(100, view.path("configured_weight").asInt(), zero.body());
                assertEquals(0, view.path("effective_weight").asInt(-1), zero.body());
                assertFalse(view.path("eligible").asBoolean(true), zero.body());
                assertEquals("ready", view.path("admin").asText(), "a weight is not an admin state");

                assertTrue(Ops.namesOf(daemon.address(), 20).stream().allMatch(other::equals));
                held.echo("weight 0 keeps me");

                AdminClient.Answer back = api.post("/api/v1/pools/main/backends/" + target + "/weight", "{\"weight\": 100}");
                assertEquals(200, back.status(), back.toString());
                assertEquals(100, back.json().path("effective_weight").asInt(), back.body());
                assertTrue(back.json().path("eligible").asBoolean());
                List<String> after = Ops.namesOf(daemon.address(), 6);
                assertTrue(after.contains(target) && after.contains(other), after.toString());
                held.echo("still here");
            }
        }
    }

    @Test
    void weightsShareConnectionsInProportion() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            assertEquals(200, api.post("/api/v1/pools/main/backends/a/weight", "{\"weight\": 300}").status());
            List<String> names = Ops.namesOf(daemon.address(), 40);
            // Smooth weighted round-robin is exact: 3 to a for every 1 to b.
            assertEquals(30, names.stream().filter("a"::equals).count(), names.toString());
        }
    }

    /**
     * What a drain does to a sticky client (Maglev, source-ip): its new connections go where the
     * Maglev table without the drained backend sends them; after the undrain they go back to it, as
     * on every node with the same table (the stick table records, it does not override Maglev:
     * docs/balancing.md). The open connection to the drained backend is not touched.
     */
    @Test
    void stickyClientsOfADrainedBackendFollowTheTableAndGoBackAfterTheUndrain() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             TestBackend c = TestBackend.namedEcho("c");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().balance(BalanceAlgorithm.MAGLEV)
                     .backend(a).backend(b).backend(c).admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            InetAddress client = null;
            for (int last = 10; last < 120 && client == null; last++) {
                if ("a".equals(Clients.backendNameVia(daemon.address(), Clients.loopback(last)))) {
                    client = Clients.loopback(last);
                }
            }
            assertNotNull(client, "some loopback client maps to a");
            String clientText = client.getHostAddress();

            try (Ops.Held held = Ops.open(daemon.address(), client)) {
                assertEquals("a", held.backend(), "sticky: the same client reaches a again");
                assertEquals(200, api.post("/api/v1/pools/main/backends/a/drain", null).status());

                String repicked = Clients.backendNameVia(daemon.address(), client);
                assertNotEquals("a", repicked, "a drained backend takes no new connection, sticky or not");
                for (int i = 0; i < 5; i++) {
                    assertEquals(repicked, Clients.backendNameVia(daemon.address(), client), "the table's choice is stable");
                }
                JsonNode explain = api.get("/api/v1/explain?client=" + clientText).json();
                assertEquals(repicked, explain.path("backend").asText(), explain.toString());
                assertEquals(repicked, explain.path("stick_entry").path("backend").asText(), explain.toString());
                assertEquals("maglev", explain.path("decided_by").asText(), explain.toString());
                assertEquals(false, explain.path("stick_entry").path("routes").asBoolean(), explain.toString());

                assertEquals(200, api.post("/api/v1/pools/main/backends/a/undrain", null).status());
                for (int i = 0; i < 5; i++) {
                    assertEquals("a", Clients.backendNameVia(daemon.address(), client),
                            "after the undrain the client's new connections follow the table back to a");
                }
                JsonNode again = api.get("/api/v1/explain?client=" + clientText).json();
                assertEquals("a", again.path("backend").asText(), again.toString());
                assertEquals("maglev", again.path("decided_by").asText(), again.toString());

                held.echo("the open connection to a was never touched");
            }
        }
    }
}
