package io.sluice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.AdminConfig;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's authentication, errors and explain, through the real daemon. */
class ApiAuthTest {

    @TempDir
    Path dir;

    private static final String DRAIN_A = "/api/v1/pools/main/backends/a/drain";

    @Test
    void mutatingCallsNeedTheTokenReadsDoNot() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());

            AdminClient.Answer none = api.post(DRAIN_A, null, null);
            assertEquals(401, none.status(), none.toString());
            assertTrue(none.contentType().startsWith("application/problem+json"), none.contentType());
            assertTrue(none.json().path("type").asText().endsWith("/unauthorized"), none.body());
            AdminClient.Answer wrong = api.post(DRAIN_A, null, "not-the-token");
            assertEquals(401, wrong.status(), wrong.toString());
            AdminClient.Answer prefix = api.post(DRAIN_A, null, AdminClient.TOKEN.substring(0, 5));
            assertEquals(401, prefix.status(), prefix.toString());
            assertEquals("ready", api.backend("main", "a").path("admin").asText(), "a refused call changes nothing");
            assertEquals("[a, b, a, b]", Ops.namesOf(daemon.address(), 4).toString());

            assertEquals(200, api.get("/api/v1/pools").status());
            assertEquals(200, api.get("/api/v1/status").status());
            assertEquals(200, api.get("/healthz").status());
            assertEquals(200, api.get("/readyz").status());
            assertEquals(200, api.get("/metrics").status());

            // The token file's trailing newline is not part of the token.
            AdminClient.Answer ok = api.post(DRAIN_A, null);
            assertEquals(200, ok.status(), ok.toString());
            assertEquals("drain", api.backend("main", "a").path("admin").asText());
        }
    }

    @Test
    void withoutATokenFileEveryMutatingCallIsRefused() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a)
                     .admin(new AdminConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            AdminClient.Answer refused = api.post(DRAIN_A, null);
            assertEquals(401, refused.status(), refused.toString());
            assertTrue(refused.json().path("detail").asText().contains("token"), refused.body());
            assertEquals("ready", api.backend("main", "a").path("admin").asText());
        }
    }

    @Test
    void unknownNamesAreNotFoundWithTheKnownNamesAndBadWeightsAreBadRequests() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());

            AdminClient.Answer pool = api.post("/api/v1/pools/nope/backends/a/drain", null);
            assertEquals(404, pool.status(), pool.toString());
            assertTrue(pool.json().path("detail").asText().contains("main"), pool.body());
            AdminClient.Answer getPool = api.get("/api/v1/pools/nope");
            assertEquals(404, getPool.status(), getPool.toString());
            assertTrue(getPool.json().path("detail").asText().contains("main"), getPool.body());

            AdminClient.Answer backend = api.post("/api/v1/pools/main/backends/zz/weight", "{\"weight\": 5}");
            assertEquals(404, backend.status(), backend.toString());
            String detail = backend.json().path("detail").asText();
            assertTrue(detail.contains("a, b"), detail);

            for (String body : new String[] {"{\"weight\": 1001}", "{\"weight\": -1}", "{\"weight\": \"heavy\"}",
                    "{\"weight\": 1.5}", "{}", "{\"weight\": 5, \"extra\": 1}", "not json"}) {
                AdminClient.Answer bad = api.post("/api/v1/pools/main/backends/a/weight", body);
                assertEquals(400, bad.status(), body + " -> " + bad);
                assertTrue(bad.json().path("type").asText().endsWith("/bad-request"), bad.body());
            }
            AdminClient.Answer badDrain = api.post(DRAIN_A, "{\"deadline\": \"soon\"}");
            assertEquals(400, badDrain.status(), badDrain.toString());
            AdminClient.Answer badRate = api.post(DRAIN_A, "{\"close_rate\": 0}");
            assertEquals(400, badRate.status(), badRate.toString());
            JsonNode view = api.backend("main", "a");
            assertEquals(100, view.path("weight").asInt(), "bad calls changed nothing: " + view);
            assertEquals("ready", view.path("admin").asText(), view.toString());
        }
    }

    @Test
    void explainNamesTheBackendAClientFromThatAddressReachesAndWhyTheOthersAreSkipped() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             TestBackend c = TestBackend.namedEcho("c");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().balance(BalanceAlgorithm.MAGLEV)
                     .backend(a).backend(b).backend(c).admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            InetAddress client = Clients.loopback(23);

            JsonNode before = api.get("/api/v1/explain?client=127.0.0.23").json();
            String predicted = before.path("backend").asText();
            assertEquals("maglev", before.path("decided_by").asText(), before.toString());
            assertEquals(predicted, Clients.backendNameVia(daemon.address(), client), "explain predicts the real pick");
            assertEquals("main", before.path("pool").asText());

            // Drain another backend: the client keeps its backend; the drained one is skipped as draining.
            String other = predicted.equals("a") ? "b" : "a";
            assertEquals(200, api.post("/api/v1/pools/main/backends/" + other + "/drain", null).status());
            JsonNode withDrain = api.get("/api/v1/explain?client=127.0.0.23").json();
            assertEquals(predicted, withDrain.path("backend").asText(), withDrain.toString());
            Map<String, String> skipped = skipped(withDrain);
            assertEquals("draining", skipped.get(other), withDrain.toString());
            assertEquals(2, skipped.size(), withDrain.toString());
            assertEquals(predicted, Clients.backendNameVia(daemon.address(), client));

            // Drain the client's own backend: explain and the real connection agree on the new one.
            assertEquals(200, api.post("/api/v1/pools/main/backends/" + predicted + "/drain", null).status());
            JsonNode moved = api.get("/api/v1/explain?client=127.0.0.23").json();
            String now = moved.path("backend").asText();
            assertNotNull(now);
            assertEquals("draining", skipped(moved).get(predicted), moved.toString());
            assertEquals(now, Clients.backendNameVia(daemon.address(), client), "explain predicts the re-pick: " + moved);

            AdminClient.Answer badClient = api.get("/api/v1/explain?client=example.com");
            assertEquals(400, badClient.status(), badClient.toString());
            AdminClient.Answer badListener = api.get("/api/v1/explain?client=127.0.0.23&listener=nope");
            assertEquals(404, badListener.status(), badListener.toString());
        }
    }

    private static Map<String, String> skipped(JsonNode explain) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode s : explain.path("skipped")) {
            out.put(s.path("backend").asText(), s.path("reason").asText());
        }
        return out;
    }
}
