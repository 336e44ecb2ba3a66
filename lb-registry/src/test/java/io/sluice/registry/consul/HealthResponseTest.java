package io.sluice.registry.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Parsing what real Consul sends. health-service.json is the sample response of Consul's documented
 * {@code GET /v1/health/service/:service} (api-docs/health), followed by two entries in the shapes Consul
 * also returns: an external node registered through {@code /v1/catalog/register} with only {@code lan} in
 * {@code TaggedAddresses}, null Meta/Tags/Checks and an empty Service.Address; and an IPv6 node with null
 * {@code TaggedAddresses}, no Weights, and the fields newer Consul adds (Definition, ExposedPort, ...).
 */
class HealthResponseTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode realConsulAnswer() throws Exception {
        try (InputStream in = HealthResponseTest.class.getResourceAsStream("health-service.json")) {
            return JSON.readTree(in);
        }
    }

    @Test
    void everyShapeRealConsulSendsIsRead() throws Exception {
        HealthResponse r = HealthResponse.parse(realConsulAnswer());

        assertEquals(List.of(), r.skipped());
        assertEquals(3, r.entries().size());
        HealthEntry documented = r.entries().get(0);
        assertEquals(new HealthEntry("redis", "10.1.10.12", "10.1.10.12", 8000, Map.of("redis_version", "4.0"),
                Optional.of(new HealthEntry.Weights(10, 1)),
                List.of(new HealthEntry.Check("service:redis", "passing"), new HealthEntry.Check("serfHealth", "passing"))),
                documented);
        HealthEntry external = r.entries().get(1);
        assertEquals(new HealthEntry("redis-external", "", "10.1.10.40", 6379, Map.of(),
                Optional.of(new HealthEntry.Weights(1, 1)), List.of()), external);
        HealthEntry v6 = r.entries().get(2);
        assertEquals(new HealthEntry("redis-v6", "2001:db8::13", "2001:db8::12", 8000, Map.of(), Optional.empty(),
                List.of(new HealthEntry.Check("serfHealth", "passing"))), v6);
    }

    @Test
    void oneUnusableEntryIsSkippedWithItsReasonNotTheWholeAnswer() throws Exception {
        JsonNode answer = JSON.readTree("""
                [{"Node": {"Node": "n1", "Address": "10.0.0.1"},
                  "Service": {"ID": "good", "Service": "web", "Address": "10.0.0.1", "Port": 80}, "Checks": []},
                 {"Node": {"Node": "n2", "Address": "10.0.0.2"},
                  "Service": {"ID": "", "Service": "web", "Port": 80}, "Checks": []},
                 {"Node": {"Node": "n3", "Address": "10.0.0.3"},
                  "Service": {"ID": "bad-port", "Service": "web", "Port": "eighty"}, "Checks": []},
                 {"Node": {"Node": "n4", "Address": "10.0.0.4"},
                  "Service": {"ID": "far-port", "Service": "web", "Port": 70000}, "Checks": []},
                 "not an entry",
                 {"Node": null, "Service": {"ID": "no-node", "Service": "web", "Address": "10.0.0.5", "Port": 81},
                  "Checks": [{"CheckID": "c", "Status": "warning"}]}]""");

        HealthResponse r = HealthResponse.parse(answer);

        assertEquals(List.of("good", "no-node"), r.entries().stream().map(HealthEntry::serviceId).toList());
        assertEquals("", r.entries().get(1).nodeAddress());
        assertEquals(List.of(
                "entry 1: no Service.ID",
                "entry 2: service bad-port: Service.Port \"eighty\" (expected 0..65535)",
                "entry 3: service far-port: Service.Port 70000 (expected 0..65535)",
                "entry 4: not a JSON object"), r.skipped());
        assertTrue(r.entries().get(1).weights().isEmpty());
    }
}
