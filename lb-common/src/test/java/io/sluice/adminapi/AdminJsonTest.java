package io.sluice.adminapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The records write the bytes the daemon wrote before they were shared (maps built field by field),
 * and read back what the daemon writes, ignoring fields a newer daemon adds.
 */
class AdminJsonTest {

    private final ObjectMapper json = AdminJson.mapper();

    @Test
    void aProblemIsTheRfc9457DocumentWithItsExtensionsAfterTheStandardMembers() throws Exception {
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("errors", List.of("sluice.yaml:3: listeners[0].bind: bad"));
        extensions.put("status", 200); // a standard member is not overridden by an extension
        Problem p = Problem.of(ProblemType.CONFIG_REJECTED, "the new config has 1 error", "/api/v1/reload", extensions);
        assertEquals("{\"type\":\"https://sluice.dev/problems/config-rejected\",\"title\":\"Config Rejected\","
                + "\"status\":422,\"detail\":\"the new config has 1 error\",\"instance\":\"/api/v1/reload\","
                + "\"errors\":[\"sluice.yaml:3: listeners[0].bind: bad\"]}", json.writeValueAsString(p));

        Problem read = json.readValue(json.writeValueAsString(p), Problem.class);
        assertEquals(422, read.status());
        assertEquals("the new config has 1 error", read.detail());
        assertEquals(List.of("sluice.yaml:3: listeners[0].bind: bad"), read.errors());
    }

    @Test
    void theHandoverObjectKeepsItsShape() throws Exception {
        HandoverView h = new HandoverView("/run/sluice/handover.sock", "idle", new HandoverView.Last("received", 1200L,
                "2026-12-07T05:00:00Z", 1230, 10000, 0, 2, 85, 2, "done"));
        assertEquals("{\"socket\":\"/run/sluice/handover.sock\",\"state\":\"idle\",\"last\":{\"role\":\"received\","
                + "\"peer_pid\":1200,\"started_at\":\"2026-12-07T05:00:00Z\",\"duration_millis\":1230,"
                + "\"connections\":10000,\"refused\":0,\"kept\":2,\"longest_pause_millis\":85,\"listeners\":2,"
                + "\"outcome\":\"done\"}}", json.writeValueAsString(h));
        assertEquals("{\"socket\":null,\"state\":\"idle\",\"last\":null}", json.writeValueAsString(HandoverView.IDLE));
    }

    @Test
    void readersIgnoreFieldsTheyDoNotKnowAndMissOnesTheyDo() throws Exception {
        StatusView s = json.readValue("{\"version\":\"9.9\",\"uptime_seconds\":5,\"listeners\":[{\"name\":\"a\","
                + "\"pools\":[\"p\"],\"quic\":true}],\"new_field\":{\"x\":1}}", StatusView.class);
        assertEquals("9.9", s.version());
        assertEquals(List.of("p"), s.listeners().get(0).pools());
        assertNull(s.pid());
        assertNull(s.handover());
    }
}
