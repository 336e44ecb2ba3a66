package io.sluice.cli.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.SluiceExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sluicectl stick-table show|clear} against a real daemon process with a sticky Maglev pool
 * ({@code source-ip}, Maglev's default key) and real clients from three loopback addresses.
 */
class SluicectlStickTableTest {

    @RegisterExtension
    final SluiceExtension daemon = SluiceExtension.builder()
            .backend("a").backend("b").balance("maglev").adminToken("t0ken\n").build();

    @Test
    void showListsTheClientsAndClearForgetsThem() throws Exception {
        Sluicectl ctl = new Sluicectl().env("SLUICE_ADMIN", daemon.adminUrl())
                .env("SLUICE_TOKEN_FILE", daemon.tokenFile().toString());
        String first = Clients.backendNameVia(daemon.address(), Clients.loopback(21));
        Clients.backendNameVia(daemon.address(), Clients.loopback(22));
        Clients.backendNameVia(daemon.address(), Clients.loopback(23));

        Sluicectl.Result show = ctl.run("stick-table", "show", "main");
        assertEquals(0, show.exitCode(), show::toString);
        assertTrue(show.out().contains("maglev: entries record where clients went; the Maglev table routes"), show::toString);
        assertTrue(show.out().matches("(?s).*\\n127\\.0\\.0\\.21\\s+" + first + "\\s+0\\s+.*"), show::toString);
        assertTrue(show.out().contains("3 entries"), show::toString);
        assertEquals(3, ctl.run("stick-table", "show", "main", "-o", "json").json().path("entries").size());

        Sluicectl.Result clear = ctl.run("stick-table", "clear", "main");
        assertEquals(0, clear.exitCode(), clear::toString);
        assertTrue(clear.out().contains("forgot 3 stick-table entries"), clear::toString);
        assertEquals(0, daemon.adminJson("/api/v1/pools/main/stick-table").path("size").asInt());
        assertEquals(first, Clients.backendNameVia(daemon.address(), Clients.loopback(21)), "routing is the table's");

        assertEquals(5, ctl.run("stick-table", "show", "nope").exitCode());
        assertEquals(2, ctl.run("stick-table").exitCode());
    }
}
