package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.PoolView;
import java.util.List;
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
        String path = "/pools/" + AdminClient.segment(pool);
        JsonNode answer = client().get(path);
        if (json()) {
            printJson(answer);
            return ExitCodes.OK;
        }
        PoolView p = AdminClient.read(answer, PoolView.class, "GET " + path);
        StringBuilder head = new StringBuilder("pool ").append(p.name())
                .append(": balance ").append(p.balance());
        if (p.stickyKey() != null) {
            head.append(", sticky ").append(p.stickyKey())
                    .append(" (").append(p.stickTableSize()).append(" entries)");
        }
        head.append(", health check ").append(p.healthCheck())
                .append(", generation ").append(p.generation());
        if (p.maglevFingerprint() != null) {
            head.append(", fingerprint ").append(p.maglevFingerprint());
        }
        head.append(", ").append(p.activeConnections()).append(" active");
        out().println(head);
        out().println();
        Views.backends(this, Views.list(p.backends())).print(out());
        List<String> drains = Views.drains(p.name(), Views.list(p.backends()), context().clock().instant());
        if (!drains.isEmpty()) {
            out().println();
            drains.forEach(out()::println);
        }
        DirectTables.ofPool(this, Views.list(p.direct()), out());
        return ExitCodes.OK;
    }
}
