package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import picocli.CommandLine.Command;

/** {@code sluicectl status}: GET /api/v1/status. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Show the daemon at a glance: version, uptime, listeners.")
final class StatusCommand extends AdminCommand {

    @Override
    int run() {
        JsonNode status = client().get("/status");
        if (json()) {
            printJson(status);
            return ExitCodes.OK;
        }
        Views.Pairs pairs = new Views.Pairs()
                .add("admin", client().base())
                .add("version", Views.text(status, "version"))
                .add("uptime", Durations.human(Duration.ofSeconds(status.path("uptime_seconds").asLong())))
                .add("transport", Views.text(status, "transport"))
                .add("config", Views.text(status, "config_file"))
                .add("connections", status.path("active_connections").asLong());
        if (status.has("handover")) {
            Handover h = Handover.of(status);
            pairs.add("pid", h.pid()).add("handover", h.describe());
        }
        JsonNode store = status.path("shared_store");
        if (store.isObject()) {
            pairs.add("state store", describeStore(store));
        }
        pairs.print(out());
        for (JsonNode q : store.path("queued")) {
            out().println("  queued: " + Views.text(q, "backend") + " " + Views.text(q, "change") + " (since "
                    + Views.text(q, "queued_at") + "): applied on this node; other nodes do not have it");
        }
        for (JsonNode l : store.path("lost")) {
            out().println("  lost: " + Views.text(l, "backend") + " " + Views.text(l, "mine") + " (made "
                    + Views.text(l, "queued_at") + ") lost to another node's later change; in force: " + Views.text(l, "theirs"));
        }
        out().println();
        Table t = table("LISTENER", "BIND", "MODE", "POOLS");
        for (JsonNode l : status.path("listeners")) {
            t.row(Views.text(l, "name"), Views.text(l, "bind"), Views.text(l, "mode"),
                    String.join(", ", Views.strings(l.get("pools"))));
        }
        t.print(out());
        return ExitCodes.OK;
    }

    /** "zookeeper, reachable, nothing queued" / "zookeeper, UNREACHABLE, 2 changes queued". */
    static String describeStore(JsonNode store) {
        int queued = store.path("queued").size();
        return Views.text(store, "store") + ", " + (store.path("reachable").asBoolean() ? "reachable" : "UNREACHABLE")
                + ", " + (queued == 0 ? "nothing queued" : queued + (queued == 1 ? " change queued" : " changes queued"))
                + (store.path("lost_total").asLong() == 0 ? "" : ", " + store.path("lost_total").asLong() + " lost");
    }
}
