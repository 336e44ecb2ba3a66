package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
    static String rule(JsonNode table) {
        return table.path("routes").asBoolean()
                ? Views.text(table, "balance") + ": an eligible entry keeps its client on that backend (this node only)"
                : Views.text(table, "balance") + ": entries record where clients went; the Maglev table routes (the same on"
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
            JsonNode t = client().get("/pools/" + AdminClient.segment(pool) + "/stick-table",
                    limit == null ? Map.of() : Map.of("limit", String.valueOf(limit)));
            if (json()) {
                printJson(t);
                return ExitCodes.OK;
            }
            out().println("pool " + pool + ", " + rule(t));
            out().println();
            Table table = table("KEY", "BACKEND", "PINS", "IDLE").alignRight(2, 3);
            for (JsonNode e : t.path("entries")) {
                table.row(Views.text(e, "key"), Views.text(e, "backend"), e.path("pins").asText(),
                        Durations.human(Duration.ofSeconds(e.path("idle_seconds").asLong())));
            }
            table.print(out());
            out().println();
            int size = t.path("size").asInt();
            out().println(table.size() < size ? "showing " + table.size() + " of " + size + " entries (raise --limit)"
                    : size + (size == 1 ? " entry" : " entries") + " (capacity " + t.path("capacity").asInt() + ")");
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
            JsonNode t = client().post("/pools/" + AdminClient.segment(pool) + "/stick-table/clear", null, token);
            if (json()) {
                printJson(t);
                return ExitCodes.OK;
            }
            out().println("pool " + pool + ": forgot " + t.path("cleared").asInt() + " stick-table entries on this node;"
                    + " open connections stay where they are");
            out().flush();
            return ExitCodes.OK;
        }
    }
}
