package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.ConnectionList;
import io.sluice.adminapi.ConnectionView;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluicectl connections}: GET /api/v1/connections. */
@Command(name = "connections", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "List live client connections, newest first.")
final class ConnectionsCommand extends AdminCommand {

    @Option(names = "--pool", paramLabel = "POOL", description = "Only connections routed to this pool.")
    String pool;

    @Option(names = "--backend", paramLabel = "BACKEND", description = "Only connections to this backend.")
    String backend;

    @Option(names = "--limit", paramLabel = "N", description = "At most N connections (0..10000, 0: only the total; default: the daemon's, 100).")
    Integer limit;

    @Override
    int run() {
        if (limit != null && (limit < 0 || limit > 10_000)) {
            throw new CliException(ExitCodes.USAGE, "--limit: " + limit + " (expected 0..10000)");
        }
        Map<String, String> query = new LinkedHashMap<>();
        query.put("pool", pool);
        query.put("backend", backend);
        query.put("limit", limit == null ? null : String.valueOf(limit));
        JsonNode answer = client().get("/connections", query);
        if (json()) {
            printJson(answer);
            return ExitCodes.OK;
        }
        Table t = table("LISTENER", "CLIENT", "SNI", "POOL", "BACKEND", "UP", "DOWN", "AGE").alignRight(5, 6, 7);
        ConnectionList list = AdminClient.read(answer, ConnectionList.class, "GET /connections");
        for (ConnectionView c : Views.list(list.connections())) {
            t.row(c.listener(), c.client(), c.sni(), c.pool(), c.backend(), Views.bytes(c.bytesUp()),
                    Views.bytes(c.bytesDown()), HumanDurations.human(Duration.ofSeconds(c.ageSeconds())));
        }
        t.print(out());
        // A daemon that does not say the total has listed them all.
        long total = answer.hasNonNull("total") ? list.total() : t.size();
        out().println();
        out().println(t.size() < total
                ? "showing " + t.size() + " of " + total + " connections (raise --limit to see more)"
                : total + (total == 1 ? " connection" : " connections"));
        out().flush();
        return ExitCodes.OK;
    }
}
