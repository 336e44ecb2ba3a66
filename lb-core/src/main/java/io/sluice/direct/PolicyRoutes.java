package io.sluice.direct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sluice's policy routes: for each backend, {@code ip rule priority P fwmark MARK lookup MARK} and,
 * in that table, {@code default via BACKEND}. A packet the nft table marked for a backend is routed to
 * that backend's MAC with its destination (the VIP) unchanged: the LVS-DR model.
 *
 * <p>Sluice owns every fwmark rule at its priority and the tables they name, nothing else. Routes are
 * added before the nft transaction that first marks packets for them, and removed after the one that
 * stopped marking, so no marked packet finds no route.
 *
 * <p>Direct thread only (runs {@code ip}).
 */
final class PolicyRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SystemCommand ip;

    PolicyRoutes(SystemCommand ip) {
        this.ip = ip;
    }

    /** Marks of Sluice's rules now: fwmark rules at {@code priority}. */
    Set<Long> current(int priority) throws SystemCommand.Failed {
        String out = ip.run(List.of("ip", "-j", "rule", "show"), null);
        Set<Long> marks = new TreeSet<>();
        try {
            for (JsonNode rule : JSON.readTree(out.isBlank() ? "[]" : out)) {
                if (rule.path("priority").asInt(-1) == priority && rule.has("fwmark")) {
                    marks.add(Long.decode(rule.get("fwmark").asText()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new SystemCommand.Failed("cannot read `ip -j rule show`: " + e.getMessage(), false);
        }
        return marks;
    }

    /** Adds (or re-points) the rule and route of every backend in {@code wanted} (mark to address). */
    void add(int priority, Map<Long, Inet4Address> wanted, Set<Long> present) throws SystemCommand.Failed {
        if (wanted.isEmpty()) {
            return;
        }
        StringBuilder batch = new StringBuilder();
        wanted.forEach((mark, address) -> {
            batch.append("route replace default via ").append(address.getHostAddress()).append(" table ").append(mark)
                    .append('\n');
            if (!present.contains(mark)) {
                batch.append("rule add priority ").append(priority).append(" fwmark ").append(NftScript.hex(mark))
                        .append(" lookup ").append(mark).append('\n');
            }
        });
        ip.run(List.of("ip", "-batch", "-"), batch.toString());
    }

    /** Removes the rules and tables of {@code marks}. */
    void remove(int priority, Set<Long> marks) throws SystemCommand.Failed {
        if (marks.isEmpty()) {
            return;
        }
        StringBuilder batch = new StringBuilder();
        for (long mark : marks) {
            batch.append("rule del priority ").append(priority).append(" fwmark ").append(NftScript.hex(mark))
                    .append(" lookup ").append(mark).append('\n');
            batch.append("route flush table ").append(mark).append('\n');
        }
        // -force: carry on past a rule someone already removed.
        ip.run(List.of("ip", "-force", "-batch", "-"), batch.toString());
    }
}
