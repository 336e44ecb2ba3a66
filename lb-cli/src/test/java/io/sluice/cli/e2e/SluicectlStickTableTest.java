package io.sluice.cli.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.BalanceAlgorithm;
import io.sluice.config.StickyKeyType;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluicectl stick-table show|clear} against a real daemon with a sticky Maglev pool and real clients. */
class SluicectlStickTableTest {

    @TempDir
    Path dir;

    @Test
    void showListsTheClientsAndClearForgetsThem() throws Exception {
        Path token = Files.writeString(dir.resolve("admin.token"), "t0ken\n");
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().balance(BalanceAlgorithm.MAGLEV)
                     .sticky(TestConfigs.sticky(StickyKeyType.SOURCE_IP)).backend(a).backend(b).admin(token))) {
            Sluicectl ctl = new Sluicectl()
                    .env("SLUICE_ADMIN", "http://127.0.0.1:" + daemon.daemon().adminAddress().getPort())
                    .env("SLUICE_TOKEN_FILE", token.toString());
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
            assertEquals(0, daemon.pool().stickTable().size());
            assertEquals(first, Clients.backendNameVia(daemon.address(), Clients.loopback(21)), "routing is the table's");

            assertEquals(5, ctl.run("stick-table", "show", "nope").exitCode());
            assertEquals(2, ctl.run("stick-table").exitCode());
        }
    }
}
