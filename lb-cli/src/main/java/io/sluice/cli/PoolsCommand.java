package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code sluicectl pools}: GET /api/v1/pools. */
@Command(name = "pools", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "List the pools: balancer, backends up/total, active connections, Maglev fingerprint.")
final class PoolsCommand extends AdminCommand {

    @Override
    int run() {
        JsonNode answer = client().get("/pools");
        if (json()) {
            printJson(answer);
            return ExitCodes.OK;
        }
        Table t = table("NAME", "BALANCE", "BACKENDS", "ACTIVE", "FINGERPRINT").alignRight(2, 3);
        for (JsonNode pool : answer.path("pools")) {
            int total = pool.path("backends").size();
            int up = 0;
            for (JsonNode b : pool.path("backends")) {
                up += "up".equals(Views.text(b, "health")) ? 1 : 0;
            }
            Table.Style style = up == total ? Table.Style.GREEN : up == 0 ? Table.Style.RED : Table.Style.YELLOW;
            t.row(Views.text(pool, "name"), Views.text(pool, "balance"), Table.cell(up + "/" + total, style),
                    pool.path("active_connections").asLong(), Views.text(pool, "maglev_fingerprint"));
        }
        t.print(out());
        return ExitCodes.OK;
    }
}
