package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sluicectl backends POOL}: GET /api/v1/pools/{pool}. */
@Command(name = "backends", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Show one pool and its backends: health, admin state, weights, connections, last check.")
final class BackendsCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "POOL", description = "The pool's name (see `sluicectl pools`).")
    String pool;

    @Override
    int run() {
        JsonNode p = client().get("/pools/" + AdminClient.segment(pool));
        if (json()) {
            printJson(p);
            return ExitCodes.OK;
        }
        StringBuilder head = new StringBuilder("pool ").append(Views.text(p, "name"))
                .append(": balance ").append(Views.text(p, "balance"));
        if (Views.text(p, "sticky_key") != null) {
            head.append(", sticky ").append(Views.text(p, "sticky_key"))
                    .append(" (").append(p.path("stick_table_size").asLong()).append(" entries)");
        }
        head.append(", health check ").append(Views.text(p, "health_check"))
                .append(", generation ").append(p.path("generation").asLong());
        if (Views.text(p, "maglev_fingerprint") != null) {
            head.append(", fingerprint ").append(Views.text(p, "maglev_fingerprint"));
        }
        head.append(", ").append(p.path("active_connections").asLong()).append(" active");
        out().println(head);
        out().println();
        Views.backends(this, p.path("backends")).print(out());
        return ExitCodes.OK;
    }
}
