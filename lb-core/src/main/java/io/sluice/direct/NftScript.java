package io.sluice.direct;

import io.sluice.balance.KeyHash;
import io.sluice.config.DirectListenerConfig;
import io.sluice.config.DirectListenerConfig.FlowKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns a {@link DirectPlan} into one nft transaction ({@code nft -f -} applies a file atomically:
 * all of it or none, and packets see either the old ruleset or the new, never a gap).
 *
 * <p>The table Sluice owns (family {@code ip}) holds, per direct listener {@code L}:
 * <pre>
 *   chain prerouting (hook prerouting, priority raw: before conntrack and routing)
 *     ip daddr VIP tcp dport { PORTS } jump l_L
 *   chain l_L
 *     notrack                                          one-way traffic: conntrack would call it INVALID
 *     meta mark set FLOW map @l_L_flows                established flow: its backend
 *     meta mark != 0 meta mark != @l_L_live meta mark set 0    ...unless that backend is gone
 *     meta mark 0 meta mark set jhash FLOW mod M seed S map @l_L_slots   new flow: the Maglev slot
 *     meta mark 0 counter name c_L_none drop           no backend at all
 *     update @l_L_flows { FLOW : meta mark }           remember (or refresh) the flow, idle timeout T
 *     meta mark MARK counter name c_L_BACKEND accept   per backend: packets and bytes
 * </pre>
 * The mark then selects Sluice's policy route to the backend ({@link PolicyRoutes}); the packet leaves
 * with its destination still the VIP.
 *
 * <p>Objects are added if absent and flushed, never deleted and re-created, so the flow maps (the
 * established flows) survive every transaction; objects of the {@code present} table that the plan no
 * longer has are deleted in the same transaction, after the rules that used them were flushed. A flow
 * map's name carries its key and timeout, so changing either replaces that map (its flows re-hash).
 *
 * <p>A pure function: same plan and present objects, same text ({@code NftScriptTest} pins it).
 */
public final class NftScript {

    /** The table's comment; a table without it is someone else's and is never touched. */
    public static final String OWNER_COMMENT = "managed by sluice direct routing; do not edit";

    /** Slot-map elements per {@code add element} statement, so no line is megabytes long. */
    private static final int ELEMENTS_PER_STATEMENT = 1024;

    private NftScript() {
    }

    /**
     * @param present the table's objects now, as {@code "kind name"} ({@code "map l_video_slots"}); empty
     *                for a table that does not exist yet
     */
    public static String render(DirectPlan plan, Set<String> present) {
        String t = "ip " + plan.table();
        StringBuilder out = new StringBuilder();
        out.append("add table ").append(t).append(" { comment \"").append(OWNER_COMMENT).append("\"; }\n");
        out.append("add chain ").append(t).append(" prerouting { type filter hook prerouting priority raw; policy accept; }\n");
        out.append("flush chain ").append(t).append(" prerouting\n");
        Set<String> wanted = new LinkedHashSet<>(List.of("chain prerouting"));
        for (ServicePlan s : plan.services()) {
            service(out, t, plan.hashSeed(), s, wanted);
        }
        for (String object : new TreeSet<>(present)) {
            if (!wanted.contains(object)) {
                // Rules that referenced it were flushed above, in this same transaction.
                out.append("delete ").append(object.replaceFirst(" ", " " + t + " ")).append('\n');
            }
        }
        return out.toString();
    }

    /** Every object a plan's transaction leaves in the table, as {@code "kind name"}. */
    public static Set<String> objects(DirectPlan plan) {
        Set<String> wanted = new LinkedHashSet<>(List.of("chain prerouting"));
        StringBuilder ignored = new StringBuilder();
        for (ServicePlan s : plan.services()) {
            service(ignored, "ip " + plan.table(), plan.hashSeed(), s, wanted);
        }
        return wanted;
    }

    private static void service(StringBuilder out, String t, long seed, ServicePlan s, Set<String> wanted) {
        DirectListenerConfig l = s.listener();
        String chain = chainName(l);
        String slots = chain + "_slots";
        String live = chain + "_live";
        String flows = flowMapName(l);
        String none = counterName(l, null);
        wanted.addAll(List.of("chain " + chain, "map " + slots, "set " + live, "map " + flows, "counter " + none));

        out.append("add chain ").append(t).append(' ').append(chain).append('\n');
        out.append("flush chain ").append(t).append(' ').append(chain).append('\n');
        out.append("add map ").append(t).append(' ').append(slots).append(" { typeof numgen inc mod 2 : meta mark; }\n");
        out.append("flush map ").append(t).append(' ').append(slots).append('\n');
        long[] marks = s.slotMarks();
        for (int from = 0; from < marks.length; from += ELEMENTS_PER_STATEMENT) {
            out.append("add element ").append(t).append(' ').append(slots).append(" { ");
            int to = Math.min(marks.length, from + ELEMENTS_PER_STATEMENT);
            for (int i = from; i < to; i++) {
                out.append(i).append(" : ").append(hex(marks[i])).append(i + 1 < to ? ", " : "");
            }
            out.append(" }\n");
        }
        out.append("add set ").append(t).append(' ').append(live).append(" { typeof meta mark; }\n");
        out.append("flush set ").append(t).append(' ').append(live).append('\n');
        List<String> liveMarks = s.backends().stream().filter(DirectBackend::live).map(b -> hex(b.mark())).toList();
        if (!liveMarks.isEmpty()) {
            out.append("add element ").append(t).append(' ').append(live).append(" { ")
                    .append(String.join(", ", liveMarks)).append(" }\n");
        }
        out.append("add map ").append(t).append(' ').append(flows).append(" { typeof ").append(keyType(l.flowKey()))
                .append(" : meta mark; flags timeout; timeout ").append(l.flowIdleTimeout().toSeconds())
                .append("s; size ").append(l.maxFlows()).append("; }\n");
        out.append("add counter ").append(t).append(' ').append(none).append('\n');
        for (DirectBackend b : s.backends()) {
            String counter = counterName(l, b.name());
            if (wanted.add("counter " + counter)) {
                out.append("add counter ").append(t).append(' ').append(counter).append('\n');
            }
        }

        String rule = "add rule " + t + " " + chain + " ";
        String key = keyExpression(l.flowKey(), l.protocol().yamlName());
        out.append("add rule ").append(t).append(" prerouting ip daddr ").append(l.vip().getHostAddress()).append(' ')
                .append(l.protocol().yamlName()).append(" dport ").append(ports(l.ports())).append(" jump ")
                .append(chain).append('\n');
        out.append(rule).append("notrack\n");
        out.append(rule).append("meta mark set ").append(key).append(" map @").append(flows).append('\n');
        out.append(rule).append("meta mark != 0 meta mark != @").append(live).append(" meta mark set 0\n");
        out.append(rule).append("meta mark 0 meta mark set jhash ").append(key).append(" mod ").append(Math.max(1, marks.length))
                .append(" seed ").append(hex(seed)).append(" map @").append(slots).append('\n');
        out.append(rule).append("meta mark 0 counter name ").append(none).append(" drop\n");
        out.append(rule).append("update @").append(flows).append(" { ").append(key).append(" : meta mark }\n");
        for (DirectBackend b : s.backends()) {
            out.append(rule).append("meta mark ").append(hex(b.mark())).append(" counter name ")
                    .append(counterName(l, b.name())).append(" accept\n");
        }
    }

    /** The flow fields, as the hash and the flow map see them (and as {@link FlowHash} lays them out). */
    private static String keyExpression(FlowKey key, String protocol) {
        return key == FlowKey.SOURCE ? "ip saddr" : "ip saddr . " + protocol + " sport . " + protocol + " dport";
    }

    private static String keyType(FlowKey key) {
        return key == FlowKey.SOURCE ? "ip saddr" : "ip saddr . th sport . th dport";
    }

    private static String ports(List<Integer> ports) {
        return ports.size() == 1 ? ports.get(0).toString()
                : ports.stream().map(String::valueOf).collect(Collectors.joining(", ", "{ ", " }"));
    }

    static String hex(long v) {
        return String.format("0x%08x", v);
    }

    /** The listener's chain; its maps and sets are named after it. */
    static String chainName(DirectListenerConfig l) {
        return "l_" + identifier(l.name());
    }

    /** The flow map's name: key and timeout in it, so a change of either makes a new map. */
    static String flowMapName(DirectListenerConfig l) {
        return chainName(l) + "_flows_" + (l.flowKey() == FlowKey.SOURCE ? "src" : "5t") + "_"
                + l.flowIdleTimeout().toSeconds() + "s";
    }

    /** A backend's counter in a listener ({@code null}: packets dropped for want of a backend). */
    static String counterName(DirectListenerConfig l, String backend) {
        return "c_" + identifier(l.name()) + "__" + (backend == null ? "none" : identifier(backend));
    }

    /**
     * nft identifiers are letters, digits and '_'; names may also have '.' and '-'. Those become '_',
     * plus a hash of the real name so {@code a-b} and {@code a_b} stay apart.
     */
    static String identifier(String name) {
        String plain = name.replaceAll("[^A-Za-z0-9_]", "_");
        return plain.equals(name) ? name : plain + "_" + Long.toHexString(KeyHash.of(name, 0) & 0xFFFFFFL);
    }

    /** {@code "kind name"} of every object in a terse {@code nft -t list table} listing. */
    static Set<String> parseObjects(String listing) {
        Set<String> objects = new TreeSet<>();
        for (String line : listing.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 3 && words[2].equals("{")
                    && List.of("chain", "map", "set", "counter").contains(words[0])) {
                objects.add(words[0] + " " + words[1]);
            }
        }
        return objects;
    }

    /** For logs: how many slots each mark holds. */
    static List<String> describe(ServicePlan s) {
        List<String> out = new ArrayList<>();
        for (DirectBackend b : s.backends()) {
            int n = 0;
            for (long m : s.slotMarks()) {
                if (m == b.mark()) {
                    n++;
                }
            }
            out.add(b.name() + "=" + n + (b.live() ? "" : " (flows released)"));
        }
        return out;
    }
}
