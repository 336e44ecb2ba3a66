package io.sluice.discovery.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.DiscoveredBackend.Status;
import io.sluice.registry.consul.HealthResponse;
import org.junit.jupiter.api.Test;

/**
 * The mapping rules on entries written as Consul sends them, including shapes a current Consul never sends.
 * (The blocking-index rules and the backoff moved with their code to lb-registry: BlockingWatchTest, BackoffTest.)
 */
class HealthEntriesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static DiscoveredBackend map(String serviceExtra, String checks) throws Exception {
        String json = """
                {"Node": {"Node": "n1", "Address": "192.168.0.9", "Datacenter": "dc1"},
                 "Service": {"ID": "s1", "Service": "web", "Tags": [], "Address": "10.0.0.1", "Port": 80,
                             "Meta": {} %s},
                 "Checks": [%s]}""".formatted(serviceExtra, checks);
        return HealthEntries.map(HealthResponse.parse(JSON.readTree("[" + json + "]")).entries().get(0));
    }

    private static String check(String id, String status) {
        return """
                {"Node": "n1", "CheckID": "%s", "Name": "x", "Status": "%s", "ServiceID": "s1", "ServiceTags": []}"""
                .formatted(id, status);
    }

    @Test
    void weightFallsBackToMetaThenDefaultAndIsClamped() throws Exception {
        assertEquals(100, map("", check("c", "passing")).weight());
        assertEquals(42, map(", \"Meta\": {\"sluice-weight\": \"42\"}", check("c", "passing")).weight());
        assertEquals(100, map(", \"Meta\": {\"sluice-weight\": \"lots\"}", check("c", "passing")).weight());
        assertEquals(1000, map(", \"Weights\": {\"Passing\": 5000, \"Warning\": 1}", check("c", "passing")).weight());
        assertEquals(0, map(", \"Weights\": {\"Passing\": 3, \"Warning\": -1}", check("c", "warning")).weight());
    }

    @Test
    void maintenanceWinsOverItsOwnCriticalStatus() throws Exception {
        assertEquals(Status.MAINTENANCE,
                map("", check("c", "passing") + "," + check("_service_maintenance:s1", "critical")).status());
        assertEquals(Status.MAINTENANCE, map("", check("_node_maintenance", "critical")).status());
        assertEquals(Status.CRITICAL, map("", check("c", "warning") + "," + check("d", "critical")).status());
        assertEquals(Status.WARNING, map("", check("c", "warning") + "," + check("d", "passing")).status());
        assertEquals(Status.PASSING, map("", "").status());
    }

    @Test
    void nodeAddressWhenTheServiceHasNone() throws Exception {
        assertEquals("192.168.0.9", map(", \"Address\": \"\"", "").address().getHostString());
    }

    @Test
    void unresolvableNamesAreLeftOut() throws Exception {
        assertNull(map(", \"Address\": \"no-such-host.invalid\"", ""));
    }
}
