package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.PoolList;
import io.sluice.adminapi.PoolView;
import java.util.List;
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
        for (PoolView pool : Views.list(AdminClient.read(answer, PoolList.class, "GET /pools").pools())) {
            List<BackendView> backends = Views.list(pool.backends());
            int total = backends.size();
            int up = (int) backends.stream().filter(b -> "up".equals(b.health())).count();
            Table.Style style = up == total ? Table.Style.GREEN : up == 0 ? Table.Style.RED : Table.Style.YELLOW;
            t.row(pool.name(), pool.balance(), Table.cell(up + "/" + total, style),
                    pool.activeConnections(), pool.maglevFingerprint());
        }
        t.print(out());
        return ExitCodes.OK;
    }
}
