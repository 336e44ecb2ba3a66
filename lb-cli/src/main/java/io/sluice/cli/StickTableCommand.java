package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.StickTableView;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluicectl stick-table show|clear POOL}: a pool's stick table on the node asked (HAProxy's
 * {@code show table} / {@code clear table}). GET and POST /api/v1/pools/{pool}/stick-table[/clear].
 */
@Command(name = "stick-table", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Show or clear a pool's stick table on this node.",
        subcommands = {StickTableCommand.ShowCommand.class, StickTableCommand.ClearCommand.class})
final class StickTableCommand extends AdminCommand {

    @Override
    int run() {
        throw new CliException(ExitCodes.USAGE, "stick-table needs a sub-command: show POOL or clear POOL");
    }

    /** "maglev: entries record, the table routes" / "round-robin: entries keep clients on their backend". */
    static String rule(StickTableView table) {
        return table.routes()
                ? table.balance() + ": an eligible entry keeps its client on that backend (this node only)"
                : table.balance() + ": entries record where clients went; the Maglev table routes (the same on"
                        + " every node with the same fingerprint)";
    }

    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
            description = "List the pool's stick-table entries: client key, backend, open connections, idle time.")
    static final class ShowCommand extends AdminCommand {

        @Parameters(index = "0", paramLabel = "POOL", description = "The pool, e.g. chat.")
        String pool;

        @Option(names = "--limit", paramLabel = "N", description = "At most N entries (0..10000, default 100).")
        Integer limit;

        @Override
        int run() {
            if (limit != null && (limit < 0 || limit > 10_000)) {
                throw new CliException(ExitCodes.USAGE, "--limit: " + limit + " (expected 0..10000)");
            }
            String path = "/pools/" + AdminClient.segment(pool) + "/stick-table";
            JsonNode answer = client().get(path, limit == null ? Map.of() : Map.of("limit", String.valueOf(limit)));
            if (json()) {
                printJson(answer);
                return ExitCodes.OK;
            }
            StickTableView t = AdminClient.read(answer, StickTableView.class, "GET " + path);
            out().println("pool " + pool + ", " + rule(t));
            out().println();
            Table table = table("KEY", "BACKEND", "PINS", "IDLE").alignRight(2, 3);
            for (StickTableView.Entry e : Views.list(t.entries())) {
                table.row(e.key(), e.backend(), String.valueOf(e.pins()),
                        HumanDurations.human(Duration.ofSeconds(e.idleSeconds())));
            }
            table.print(out());
            out().println();
            int size = t.size();
            out().println(table.size() < size ? "showing " + table.size() + " of " + size + " entries (raise --limit)"
                    : size + (size == 1 ? " entry" : " entries") + " (capacity " + t.capacity() + ")");
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "clear", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
            description = "Forget every entry of the pool's stick table on this node; open connections stay where they are.")
    static final class ClearCommand extends AdminCommand {

        @Parameters(index = "0", paramLabel = "POOL", description = "The pool, e.g. chat.")
        String pool;

        @Override
        int run() {
            String token = token();
            String path = "/pools/" + AdminClient.segment(pool) + "/stick-table/clear";
            JsonNode answer = client().post(path, null, token);
            if (json()) {
                printJson(answer);
                return ExitCodes.OK;
            }
            StickTableView t = AdminClient.read(answer, StickTableView.class, "POST " + path);
            int cleared = t.cleared() == null ? 0 : t.cleared();
            out().println("pool " + pool + ": forgot " + cleared + " stick-table entries on this node;"
                    + " open connections stay where they are");
            out().flush();
            return ExitCodes.OK;
        }
    }
}
