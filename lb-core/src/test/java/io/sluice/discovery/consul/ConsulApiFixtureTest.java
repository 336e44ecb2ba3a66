package io.sluice.discovery.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fixture against Consul's documented blocking-query, filter, ACL and CAS rules, over plain HTTP. */
class ConsulApiFixtureTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConsulApiFixture fixture;
    private ConsulAgentHttp agent;

    @BeforeEach
    void start() throws Exception {
        fixture = new ConsulApiFixture();
        agent = new ConsulAgentHttp(fixture.address(), null);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private static long index(HttpResponse<?> r) {
        return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
    }

    @Test
    void withoutIndexReturnsAtOnceAndAlwaysSetsTheIndex() throws Exception {
        HttpResponse<String> r = agent.get("/v1/health/service/web");
        assertEquals(200, r.statusCode());
        assertEquals("[]", r.body());
        assertTrue(index(r) > 0);
        HttpResponse<String> zero = agent.get("/v1/health/service/web?index=0&wait=30s");
        assertEquals(index(r), index(zero));
    }

    @Test
    void blockedQueryReturnsWhenAServiceRegisters() throws Exception {
        long at = index(agent.get("/v1/health/service/web"));
        CompletableFuture<HttpResponse<String>> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return agent.get("/v1/health/service/web?index=" + at + "&wait=20s");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300);
        assertFalse(blocked.isDone(), "must block while nothing changed");
        agent.register("web-1", "web", "10.0.0.1", 8080);
        HttpResponse<String> r = blocked.get(5, TimeUnit.SECONDS);
        assertTrue(index(r) > at);
        JsonNode entry = JSON.readTree(r.body()).get(0);
        assertEquals("web-1", entry.get("Service").get("ID").asText());
        assertEquals("10.0.0.1", entry.get("Service").get("Address").asText());
        assertEquals(8080, entry.get("Service").get("Port").asInt());
        assertEquals(1, entry.get("Service").get("Weights").get("Passing").asInt(), "documented default");
        assertEquals("node1", entry.get("Node").get("Node").asText());
        assertEquals("dc1", entry.get("Node").get("Datacenter").asText());
        assertEquals("service:web-1", entry.get("Checks").get(1).get("CheckID").asText());
        assertEquals("web-1", entry.get("Checks").get(1).get("ServiceID").asText());
    }

    @Test
    void waitExpiryReturnsTheSameIndex() throws Exception {
        agent.register("web-1", "web", "10.0.0.1", 8080);
        long at = index(agent.get("/v1/health/service/web"));
        long t0 = System.nanoTime();
        HttpResponse<String> r = agent.get("/v1/health/service/web?index=" + at + "&wait=400ms");
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(at, index(r));
        assertTrue(tookMillis >= 350, "held for the wait: " + tookMillis);
    }

    @Test
    void olderIndexReturnsAtOnceAndIndexNeverGoesBackwards() throws Exception {
        long previous = index(agent.get("/v1/health/service/web"));
        for (int i = 0; i < 5; i++) {
            agent.register("web-" + i, "web", "10.0.0.1", 8080 + i);
            agent.check("web-" + i, i % 2 == 0 ? "warn" : "pass");
            long now = index(agent.get("/v1/health/service/web?index=" + (previous - 1) + "&wait=20s"));
            assertTrue(now > previous);
            previous = now;
        }
        agent.deregister("web-0");
        assertTrue(index(agent.get("/v1/health/service/web")) > previous);
    }

    @Test
    void passingTagAndDatacenterFilters() throws Exception {
        agent.register("a", "web", List.of("blue", "v1"), "10.0.0.1", 1, null, Map.of(), "passing");
        agent.register("b", "web", List.of("blue"), "10.0.0.2", 2, null, Map.of(), "warning");
        agent.register("c", "web", List.of("green"), "10.0.0.3", 3, null, Map.of(), "critical");
        assertEquals(3, JSON.readTree(agent.get("/v1/health/service/web").body()).size());
        assertEquals(1, JSON.readTree(agent.get("/v1/health/service/web?passing").body()).size());
        assertEquals(2, JSON.readTree(agent.get("/v1/health/service/web?tag=blue").body()).size());
        assertEquals(1, JSON.readTree(agent.get("/v1/health/service/web?tag=blue&tag=v1").body()).size());
        assertEquals(3, JSON.readTree(agent.get("/v1/health/service/web?dc=dc1").body()).size());
        assertEquals(500, agent.get("/v1/health/service/web?dc=elsewhere").statusCode());
    }

    @Test
    void maintenanceAddsTheDocumentedCriticalCheck() throws Exception {
        agent.register("web-1", "web", "10.0.0.1", 8080);
        agent.maintenance("web-1", true);
        JsonNode checks = JSON.readTree(agent.get("/v1/health/service/web").body()).get(0).get("Checks");
        JsonNode maint = checks.get(checks.size() - 1);
        assertEquals("_service_maintenance:web-1", maint.get("CheckID").asText());
        assertEquals("critical", maint.get("Status").asText());
        assertEquals("[]", agent.get("/v1/health/service/web?passing").body());
        agent.maintenance("web-1", false);
        assertEquals(1, JSON.readTree(agent.get("/v1/health/service/web?passing").body()).size());
    }

    @Test
    void kvCasAndBlockingGet() throws Exception {
        assertEquals(404, agent.get("/v1/kv/sluice/state").statusCode());
        assertEquals("true", agent.put("/v1/kv/sluice/state?cas=0", "one").body());
        assertEquals("false", agent.put("/v1/kv/sluice/state?cas=0", "again").body(), "cas=0 only creates");
        HttpResponse<String> r = agent.get("/v1/kv/sluice/state");
        JsonNode e = JSON.readTree(r.body()).get(0);
        long modify = e.get("ModifyIndex").asLong();
        assertEquals("b25l", e.get("Value").asText());
        assertEquals("false", agent.put("/v1/kv/sluice/state?cas=" + (modify - 1), "stale").body());
        CompletableFuture<HttpResponse<String>> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return agent.get("/v1/kv/sluice/state?index=" + index(r) + "&wait=20s");
            } catch (Exception ex) {
                throw new RuntimeException(ex);
            }
        });
        Thread.sleep(200);
        assertFalse(blocked.isDone());
        assertEquals("true", agent.put("/v1/kv/sluice/state?cas=" + modify, "two").body());
        JsonNode after = JSON.readTree(blocked.get(5, TimeUnit.SECONDS).body()).get(0);
        assertTrue(after.get("ModifyIndex").asLong() > modify);
        assertEquals("two", agent.get("/v1/kv/sluice/state?raw").body());
    }

    @Test
    void tokenIsRequiredWhenConfigured() throws Exception {
        try (ConsulApiFixture secured = new ConsulApiFixture("s3cret")) {
            assertEquals(403, new ConsulAgentHttp(secured.address(), null).get("/v1/health/service/web").statusCode());
            assertEquals(403, new ConsulAgentHttp(secured.address(), "wrong").get("/v1/health/service/web").statusCode());
            assertEquals(200, new ConsulAgentHttp(secured.address(), "s3cret").get("/v1/health/service/web").statusCode());
        }
    }
}
