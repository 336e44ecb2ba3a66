package io.sluice.cli.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.fixture.AdminApiFixture;
import io.sluice.harness.SluiceExtension;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin API fixture that docs/sluicectl.md's sample output comes from (DocSamplesTest) speaks the
 * real daemon's vocabulary: the same fields in a pool, a backend and the status, and the values the
 * daemon uses ({@code source-ip}, {@code "none"}, not {@code client-ip} or {@code null}).
 */
class FixtureMatchesDaemonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final SluiceExtension daemon = SluiceExtension.builder().backend("a").build();

    @Test
    void poolsBackendsAndStatusHaveTheDaemonsFieldsAndValues() throws Exception {
        try (AdminApiFixture fixture = new AdminApiFixture()) {
            JsonNode real = daemon.adminJson("/api/v1/pools").path("pools").path(0);
            JsonNode fake = get(fixture.url() + "/api/v1/pools").path("pools").path(0);
            assertEquals(fields(real), fields(fake), "pool fields");
            assertEquals(fields(real.path("backends").path(0)), fields(fake.path("backends").path(0)), "backend fields");
            assertEquals(fields(daemon.adminJson("/api/v1/status")), fields(get(fixture.url() + "/api/v1/status")),
                    "status fields");
            for (JsonNode pool : get(fixture.url() + "/api/v1/pools").path("pools")) {
                assertTrue(Set.of("source-ip", "source-prefix", "none").contains(pool.path("sticky_key").asText()),
                        pool::toString);
            }
            assertEquals("none", real.path("sticky_key").asText(), "a round-robin pool of the daemon");
        }
    }

    /**
     * Names alone let a wrong value through (a view that reported a wrong weight passed): a ready,
     * healthy backend with the default weight must read the same in both, and every field both have
     * must be of the same JSON type (a number, not a string).
     */
    @Test
    void aReadyBackendHasTheSameWeightsAndFieldTypes() throws Exception {
        try (AdminApiFixture fixture = new AdminApiFixture()) {
            JsonNode real = daemon.adminJson("/api/v1/pools").path("pools").path(0).path("backends").path(0);
            JsonNode fake = get(fixture.url() + "/api/v1/pools").path("pools").path(0).path("backends").path(0);
            assertEquals("ready", real.path("admin").asText(), real::toString);
            for (String field : List.of("admin", "weight", "configured_weight", "effective_weight", "eligible")) {
                assertEquals(fake.path(field), real.path(field), field + " of a ready backend with the default weight");
            }
            for (String field : fields(real)) {
                if (!real.path(field).isNull() && !fake.path(field).isNull()) {
                    assertEquals(fake.path(field).getNodeType(), real.path(field).getNodeType(), "type of " + field);
                }
            }
        }
    }

    private static JsonNode get(String url) throws IOException {
        URL u = URI.create(url).toURL();
        return JSON.readTree(u);
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
