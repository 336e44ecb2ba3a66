package io.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.adminapi.DirectView;
import io.sluice.adminapi.PoolView;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status page's server-rendered pool header for a pool with direct listeners (issue 12: the status page shows them). */
class StatusTablesTest {

    private static PoolView pool(List<DirectView.Listener> direct) {
        return new PoolView("video", "maglev", "source-ip", 7, "3b787edd432e0f91", 0, "tcp", 0, null, List.of(), direct);
    }

    private static DirectView.Listener listener(String vip, Integer flows) {
        return new DirectView.Listener("video", "direct", vip, "tcp", List.of(443, 8443), "video", "5-tuple", 300, 262_144,
                7, "3b787edd432e0f91", 4093, flows, 0, List.of());
    }

    @Test
    void aPoolsHeaderNamesItsDirectListenersKernelTableAndFlows() {
        String html = StatusTables.pools(List.of(pool(List.of(listener("203.0.113.10", 1812)))), Instant.now());
        assertTrue(html.contains(" · direct 203.0.113.10:443,8443/tcp kernel table 3b787edd432e0f91, 1812 flows</span>"), html);
    }

    @Test
    void flowsNotYetReadShowAsUnknownAndTextIsEscaped() {
        assertEquals(" · direct &lt;vip&gt;:443,8443/tcp kernel table 3b787edd432e0f91, ? flows",
                StatusTables.direct(pool(List.of(listener("<vip>", null)))));
    }

    @Test
    void aProxyPoolHasNoDirectPart() {
        assertEquals("", StatusTables.direct(pool(List.of())));
    }
}
