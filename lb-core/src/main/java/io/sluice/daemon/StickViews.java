package io.sluice.daemon;

import io.sluice.admin.AdminOperations.NotFoundException;
import io.sluice.adminapi.ExplainView;
import io.sluice.adminapi.StickTableView;
import io.sluice.pool.Pool;
import io.sluice.sticky.StickTable;
import java.util.List;

/**
 * The stick table as the admin API shows it: listing, clearing, and what explain says about a
 * client's entry. The rule it explains is {@link Pool}'s: with Maglev the table decides and entries
 * only record; with the other balancers an eligible entry keeps the client where it was. Called on
 * the admin executor; the table is safe to read from any thread.
 */
final class StickViews {

    private StickViews() {}

    static StickTableView show(Pool pool, int limit) {
        StickTable table = sticky(pool);
        return view(pool, table, table.show(limit).stream()
                .map(e -> new StickTableView.Entry(e.key().toString(), e.backendName(), e.pins(), e.idleSeconds()))
                .toList(), null);
    }

    static StickTableView clear(Pool pool) {
        StickTable table = sticky(pool);
        int cleared = table.clear();
        return view(pool, table, List.of(), cleared);
    }

    /** The client's entry with why it exists and whether it decided; null without one. */
    static ExplainView.StickEntry explain(Pool pool, StickTable.Entry entry, String chosen, Pool.Decision decision) {
        if (entry == null) {
            return null;
        }
        String why;
        boolean routes = decision == Pool.Decision.STICK_TABLE;
        if (pool.maglevTable() != null) {
            why = entry.backendName().equals(chosen)
                    ? "records where this client's connections went; the Maglev table decides (the same on every node"
                            + " with this fingerprint)"
                    : "this client's last connection went to " + entry.backendName() + " (" + entry.pins() + " still open,"
                            + " they stay there); new connections follow the Maglev table";
        } else if (routes) {
            why = "keeps this client on the backend its last connection went to while that one is eligible (this node only)";
        } else {
            why = entry.backendName() + " is not eligible now: the balancer picks again and the entry follows";
        }
        return new ExplainView.StickEntry(entry.backendName(), entry.pins(), entry.idleSeconds(), routes, why);
    }

    private static StickTable sticky(Pool pool) {
        StickTable table = pool.stickTable();
        if (table == null) {
            throw new NotFoundException("pool '" + pool.name() + "' is not sticky (sticky.key: none): it has no stick table");
        }
        return table;
    }

    private static StickTableView view(Pool pool, StickTable table, List<StickTableView.Entry> entries,
                                       Integer cleared) {
        return new StickTableView(pool.name(), pool.config().balance().yamlName(), pool.maglevTable() == null,
                table.size(), table.capacity(), entries, cleared);
    }
}
