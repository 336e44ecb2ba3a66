package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.adminapi.AdminJson;
import io.sluice.adminapi.DirectExplainView;
import io.sluice.adminapi.DirectView;
import io.sluice.fixture.AdminApiFixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The direct listeners in sluicectl: {@code explain --direct}, {@code status}, {@code direct} and
 * {@code direct --compare}: the GET they send and what they print. The admin API's answers are the
 * daemon's own records ({@code DirectOperationsLabTest} checks what a real daemon puts in them).
 */
class DirectCommandsTest extends AgainstFixture {

    private static final ObjectMapper JSON = AdminJson.mapper();

    static DirectView view(String fingerprint, long generation) {
        return new DirectView("sluice", "0x000051c3", 4, 0, null, 1.2, List.of(new DirectView.Listener("video", "direct",
                "203.0.113.10", "tcp", List.of(443), "video", "5-tuple", 300, 262144, generation, fingerprint, 4093, 1812,
                3, List.of(new DirectView.Backend("v1", "198.51.100.11", "0xc633640b", 2047, true, 91_000, 7_340_032),
                        new DirectView.Backend("v2", "198.51.100.12", "0xc633640c", 2046, true, 88_000, 6_291_456)))));
    }

    @Test
    void explainDirectSendsTheFlowAndPrintsTheKernelsDecision() {
        api.directExplain = JSON.valueToTree(new DirectExplainView("video", "sluice", "203.0.113.10", "tcp", 443,
                "198.51.100.2", 40000, "5-tuple", "video", "0x000051c3", 4093, 1021, "v2", 7, "3b787edd432e0f91",
                new DirectExplainView.FlowEntry("v1", "0xc633640b", 287_000L, true), "v1", "flow-map",
                "an established flow: the kernel's flow map pins it to v1"));
        Cli.Result r = cli.run("explain", "--direct", "--client", "198.51.100.2", "--client-port", "40000", "--port", "443");
        assertEquals(0, r.exitCode(), r::toString);
        AdminApiFixture.Request req = api.onlyRequest();
        assertEquals("/api/v1/direct/explain", req.path());
        assertEquals("port=443&client=198.51.100.2&client_port=40000", req.query());
        assertTrue(r.out().contains("flow      198.51.100.2:40000 -> 203.0.113.10:443/tcp\n"), r::toString);
        assertTrue(r.out().contains("slot      1021 of 4093 (jhash seed 0x000051c3) -> v2\n"), r::toString);
        assertTrue(r.out().contains("maglev    generation 7, fingerprint 3b787edd432e0f91\n"), r::toString);
        assertTrue(r.out().contains("flow map  v1, expires in 4m47s\n"), r::toString);
        assertTrue(r.out().contains("backend   v1 (decided by flow-map)\n"), r::toString);
    }

    @Test
    void explainDirectWithSniIsAUsageError() {
        Cli.Result r = cli.run("explain", "--direct", "--client", "198.51.100.2", "--sni", "example.com");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("--sni and --alpn do not apply to a direct listener"), r::toString);
        assertTrue(api.requests().isEmpty(), "nothing sent");
    }

    @Test
    void explainDirectWithoutDirectListenersIsNotFound() {
        Cli.Result r = cli.run("explain", "--direct", "--client", "198.51.100.2", "--client-port", "1");
        assertEquals(5, r.exitCode(), r::toString);
        assertTrue(r.err().contains("no direct listeners"), r::toString);
    }

    @Test
    void statusShowsEachDirectListenersTable() {
        api.direct = JSON.valueToTree(view("3b787edd432e0f91", 7));
        Cli.Result r = cli.run("status");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("direct routing: nft table ip sluice, hash seed 0x000051c3, 4 transactions\n"), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches(
                "video\\s+203\\.0\\.113\\.10:443/tcp\\s+video\\s+5-tuple\\s+7\\s+3b787edd432e0f91\\s+1812\\s+3")), r::toString);
    }

    @Test
    void directShowsBackendsWithTheKernelsCounters() {
        api.direct = JSON.valueToTree(view("3b787edd432e0f91", 7));
        Cli.Result r = cli.run("direct");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("/api/v1/direct", api.onlyRequest().path());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(
                "v1\\s+198\\.51\\.100\\.11\\s+0xc633640b\\s+2047\\s+yes\\s+91000\\s+7\\.0MiB")), r::toString);
    }

    @Test
    void compareSaysWhetherEveryNodeHoldsTheSameTable() throws Exception {
        api.direct = JSON.valueToTree(view("3b787edd432e0f91", 7));
        try (AdminApiFixture same = new AdminApiFixture(); AdminApiFixture other = new AdminApiFixture()) {
            same.direct = JSON.valueToTree(view("3b787edd432e0f91", 9));
            other.direct = JSON.valueToTree(view("60723b8f6af26d7f", 8));
            Cli.Result agree = cli.run("direct", "--compare", same.url());
            assertEquals(0, agree.exitCode(), agree::toString);
            assertTrue(agree.out().contains("all 2 nodes hold the same table for every direct listener"), agree::toString);

            Cli.Result differ = cli.run("direct", "--compare", same.url(), "--compare", other.url());
            assertEquals(1, differ.exitCode(), differ::toString);
            assertTrue(differ.out().contains("nodes DISAGREE: video (2 different tables)"), differ::toString);
            assertTrue(differ.out().contains("60723b8f6af26d7f"), differ::toString);
        }
    }
}
