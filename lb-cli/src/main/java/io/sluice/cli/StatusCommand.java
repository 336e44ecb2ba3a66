package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.StatusView;
import java.time.Duration;
import picocli.CommandLine.Command;

/** {@code sluicectl status}: GET /api/v1/status. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Show the daemon at a glance: version, uptime, listeners.")
final class StatusCommand extends AdminCommand {

    @Override
    int run() {
        JsonNode answer = client().get("/status");
        if (json()) {
            printJson(answer);
            return ExitCodes.OK;
        }
        StatusView status = AdminClient.read(answer, StatusView.class, "GET /status");
        Views.Pairs pairs = new Views.Pairs()
                .add("admin", client().base())
                .add("version", status.version())
                .add("uptime", HumanDurations.human(Duration.ofSeconds(status.uptimeSeconds())))
                .add("transport", status.transport())
                .add("config", status.configFile())
                .add("connections", status.activeConnections());
        if (status.handover() != null) {
            Handover h = Handover.of(status);
            pairs.add("pid", h.pid()).add("handover", h.describe());
        }
        pairs.print(out());
        out().println();
        Table t = table("LISTENER", "BIND", "MODE", "POOLS");
        for (StatusView.Listener l : Views.list(status.listeners())) {
            t.row(l.name(), l.bind(), l.mode(), String.join(", ", Views.list(l.pools())));
        }
        t.print(out());
        return ExitCodes.OK;
    }
}
