package io.sluice.direct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads and prunes the kernel's flow maps: how many flows a listener has, and removing the flows
 * pinned to backends whose flows were released (past their drain deadline, down, or gone). The live
 * set in the ruleset already sends such flows back to the hash at once; removing their entries keeps
 * them from returning to that backend if it comes back.
 *
 * <p>Direct thread only (runs {@code nft}).
 */
final class FlowMaps {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 3;

    private final SystemCommand nft;

    FlowMaps(SystemCommand nft) {
        this.nft = nft;
    }

    /** Entries of the map now; -1 when it cannot be read. */
    int count(String table, String map) {
        try {
            return elements(table, map).size();
        } catch (SystemCommand.Failed e) {
            return -1;
        }
    }

    /**
     * Deletes every entry whose backend mark is in {@code marks}; returns how many. An entry may
     * expire between the listing and the delete (the whole transaction then fails), so it lists
     * again, a bounded number of times.
     */
    int purge(String table, String map, Set<Long> marks) throws SystemCommand.Failed {
        SystemCommand.Failed last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<String> keys = new ArrayList<>();
            for (JsonNode e : elements(table, map)) {
                if (marks.contains(e.get(1).asLong())) {
                    keys.add(key(e.get(0)));
                }
            }
            if (keys.isEmpty()) {
                return 0;
            }
            try {
                nft.run(List.of("nft", "-f", "-"), "delete element ip " + table + " " + map + " { "
                        + String.join(", ", keys) + " }\n");
                return keys.size();
            } catch (SystemCommand.Failed e) {
                last = e;
            }
        }
        throw last;
    }

    /** Each element as {@code [key, mark]}. */
    private List<JsonNode> elements(String table, String map) throws SystemCommand.Failed {
        String out = nft.run(List.of("nft", "-j", "list", "map", "ip", table, map), null);
        List<JsonNode> elements = new ArrayList<>();
        try {
            for (JsonNode item : JSON.readTree(out).path("nftables")) {
                for (JsonNode e : item.path("map").path("elem")) {
                    if (e.isArray() && e.size() == 2) {
                        elements.add(e);
                    }
                }
            }
        } catch (IOException e) {
            throw new SystemCommand.Failed("cannot read the flow map " + map + ": " + e.getMessage(), false);
        }
        return elements;
    }

    /** nft's text for a key: {@code 198.51.100.5 . 40000 . 80}, or the address alone. */
    private static String key(JsonNode key) {
        JsonNode val = key.has("elem") ? key.get("elem").get("val") : key;
        if (val.has("concat")) {
            List<String> parts = new ArrayList<>();
            val.get("concat").forEach(p -> parts.add(p.asText()));
            return String.join(" . ", parts);
        }
        return val.asText();
    }
}
