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
        pairs.print(out());
        out().println();
        Table t = table("LISTENER", "BIND", "MODE", "POOLS");
        for (JsonNode l : status.path("listeners")) {
            t.row(Views.text(l, "name"), Views.text(l, "bind"), Views.text(l, "mode"),
                    String.join(", ", Views.strings(l.get("pools"))));
        }
        t.print(out());
        return ExitCodes.OK;
    }
}
