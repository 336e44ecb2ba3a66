package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.DirectView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluicectl direct}: GET /api/v1/direct, the direct listeners as this node's kernel has them;
 * with {@code --compare}, the same from other nodes behind the VIP, side by side, and whether every
 * node holds the same Maglev table (fingerprint) per listener. Nodes that disagree send a new flow
 * to different backends depending on which node ECMP picks: exit 1. The command's thread, one call
 * after the other.
 */
@Command(name = "direct", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Show the direct listeners' kernel tables and counters; --compare checks that other nodes "
                + "hold the same table (exit 1 when they do not).")
final class DirectCommand extends AdminCommand {

    @Option(names = "--compare", paramLabel = "URL", description = "Another node's admin API; repeat for several.")
    List<String> others;

    @Override
    int run() {
        JsonNode answer = client().get("/direct");
        if (others == null || others.isEmpty()) {
            if (json()) {
                printJson(answer);
                return ExitCodes.OK;
            }
            DirectView view = AdminClient.read(answer, DirectView.class, "GET /direct");
            DirectTables.listeners(this, view, out());
            DirectTables.ofPool(this, Views.list(view.listeners()), out());
            return ExitCodes.OK;
        }
        Map<String, DirectView> nodes = new LinkedHashMap<>();
        nodes.put(client().base(), AdminClient.read(answer, DirectView.class, "GET /direct"));
        for (String other : others) {
            AdminClient c = new AdminClient(other, options().timeout());
            nodes.put(c.base(), AdminClient.read(c.get("/direct"), DirectView.class, "GET " + c.base() + "/direct"));
        }
        return compare(nodes);
    }

    /** One row per node and listener; a line per listener whose fingerprint is not the same everywhere. */
    private int compare(Map<String, DirectView> nodes) {
        Table t = table("NODE", "LISTENER", "TABLE", "GENERATION", "FINGERPRINT", "FLOWS").alignRight(3, 5);
        Map<String, TreeSet<String>> fingerprints = new LinkedHashMap<>();
        for (Map.Entry<String, DirectView> n : nodes.entrySet()) {
            for (DirectView.Listener l : Views.list(n.getValue().listeners())) {
                t.row(n.getKey(), l.name(), n.getValue().table(), l.generation(), l.fingerprint(),
                        l.flows() == null ? "-" : l.flows());
                fingerprints.computeIfAbsent(l.name(), k -> new TreeSet<>()).add(l.fingerprint());
            }
        }
        List<String> disagree = new ArrayList<>();
        fingerprints.forEach((listener, prints) -> {
            long holding = nodes.values().stream().filter(v -> Views.list(v.listeners()).stream()
                    .anyMatch(l -> l.name().equals(listener))).count();
            if (prints.size() > 1 || holding < nodes.size()) {
                disagree.add(listener + " (" + (holding < nodes.size() ? "missing on " + (nodes.size() - holding)
                        + " node(s)" : prints.size() + " different tables") + ")");
            }
        });
        t.print(out());
        out().println();
        if (disagree.isEmpty()) {
            out().println("all " + nodes.size() + " nodes hold the same table for every direct listener");
            out().flush();
            return ExitCodes.OK;
        }
        out().println("nodes DISAGREE: " + String.join(", ", disagree)
                + "; a new flow's backend depends on the node it reaches (compare health, admin state and config)");
        out().flush();
        return ExitCodes.FAILED;
    }
}
