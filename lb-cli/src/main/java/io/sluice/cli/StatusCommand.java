package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.StatusView;
import io.sluice.adminapi.StoreView;
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
        StoreView store = status.sharedStore();
        if (store != null) {
            pairs.add("state store", describeStore(store));
        }
        pairs.print(out());
        if (store != null) {
            for (StoreView.Change q : Views.list(store.queued())) {
                out().println("  queued: " + q.backend() + " " + q.change() + " (since " + q.queuedAt()
                        + "): applied on this node; other nodes do not have it");
            }
            for (StoreView.Lost l : Views.list(store.lost())) {
                out().println("  lost: " + l.backend() + " " + l.mine() + " (made " + l.queuedAt()
                        + ") lost to another node's later change; in force: " + l.theirs());
            }
        }
        out().println();
        Table t = table("LISTENER", "BIND", "MODE", "POOLS");
        for (StatusView.Listener l : Views.list(status.listeners())) {
            t.row(l.name(), l.bind(), l.mode(), String.join(", ", Views.list(l.pools())));
        }
        t.print(out());
        return ExitCodes.OK;
    }

    /** "zookeeper, reachable, nothing queued" / "zookeeper, UNREACHABLE, 2 changes queued". */
    static String describeStore(StoreView store) {
        int queued = Views.list(store.queued()).size();
        return store.store() + ", " + (store.reachable() ? "reachable" : "UNREACHABLE")
                + ", " + (queued == 0 ? "nothing queued" : queued + (queued == 1 ? " change queued" : " changes queued"))
                + (store.lostTotal() == 0 ? "" : ", " + store.lostTotal() + " lost");
    }
}
