package io.sluice.cli;

import io.sluice.adminapi.DirectView;
import java.io.PrintWriter;
import java.util.List;

/**
 * How the direct listeners read in {@code status} and {@code backends}: per listener its kernel table
 * (generation, fingerprint, flows), per backend its slots and the kernel's packet and byte counters.
 * The fingerprint is what an operator compares across nodes behind one VIP. Stateless; the command's thread.
 */
final class DirectTables {

    private DirectTables() {}

    /** {@code status}: one row per direct listener. */
    static void listeners(AdminCommand command, DirectView direct, PrintWriter out) {
        out.println("direct routing: nft table ip " + direct.table() + ", hash seed " + direct.hashSeed() + ", "
                + direct.transactions() + " transactions" + (direct.transactionFailures() == 0 ? ""
                : ", " + direct.transactionFailures() + " refused") + (direct.lastError() == null ? ""
                : "; LAST FAILED: " + direct.lastError()));
        Table t = command.table("DIRECT", "VIP", "POOL", "FLOW KEY", "GENERATION", "FINGERPRINT", "FLOWS", "DROPPED")
                .alignRight(4, 6, 7);
        for (DirectView.Listener l : Views.list(direct.listeners())) {
            t.row(l.name(), vip(l), l.pool(), l.flowKey(), l.generation(), l.fingerprint(),
                    l.flows() == null ? "-" : l.flows(), l.droppedPackets());
        }
        t.print(out);
    }

    /** {@code backends POOL}: each direct listener of the pool and its backends as the kernel marks them. */
    static void ofPool(AdminCommand command, List<DirectView.Listener> listeners, PrintWriter out) {
        for (DirectView.Listener l : listeners) {
            out.println();
            out.println("direct " + l.name() + " " + vip(l) + ": generation " + l.generation() + ", fingerprint "
                    + l.fingerprint() + ", " + (l.flows() == null ? "?" : l.flows()) + " flows in the kernel's map, "
                    + l.droppedPackets() + " packets dropped");
            Table t = command.table("BACKEND", "ADDRESS", "MARK", "SLOTS", "FLOWS KEPT", "PACKETS", "BYTES")
                    .alignRight(3, 5, 6);
            for (DirectView.Backend b : Views.list(l.backends())) {
                t.row(b.name(), b.address(), b.mark(), b.slots(), b.live() ? "yes" : "released", b.packets(),
                        Views.bytes(b.bytes()));
            }
            t.print(out);
        }
    }

    private static String vip(DirectView.Listener l) {
        return l.vip() + ":" + String.join(",", Views.list(l.ports()).stream().map(String::valueOf).toList())
                + "/" + l.protocol();
    }
}
