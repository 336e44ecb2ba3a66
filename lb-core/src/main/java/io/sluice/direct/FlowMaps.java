package io.sluice.direct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** One flow-map entry: the backend mark it holds and the time left before the kernel forgets it (null: unknown). */
    record Entry(long mark, Long expiresInMillis) {}

    /**
     * nft 1.0 prints {@code get element} as a listing (its {@code -j} is ignored there):
     * {@code elements = { 198.51.100.2 . 40000 . 8080 expires 4m59s996ms : 0xc633640b }}.
     */
    private static final Pattern ELEMENT = Pattern.compile(
            "elements = \\{ .*?(?: expires ([0-9dhms]+))? : (0x[0-9a-f]+|[0-9]+) }");
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+)(ms|d|h|m|s)");

    /**
     * The entry of one flow, looked up by the kernel ({@code nft get element}), or empty when it has
     * none.
     *
     * @param key nft's text of the key: {@code 198.51.100.2 . 40000 . 8080}, or the address alone
     */
    Optional<Entry> get(String table, String map, String key) throws SystemCommand.Failed {
        String out;
        try {
            out = nft.run(List.of("nft", "get", "element", "ip", table, map, "{ " + key + " }"), null);
        } catch (SystemCommand.Failed e) {
            if (e.getMessage().contains("No such file or directory")) {
                return Optional.empty(); // nft's answer for an absent element
            }
            throw e;
        }
        Optional<Entry> entry = parseElement(out);
        if (entry.isEmpty()) {
            throw new SystemCommand.Failed("cannot read nft's answer for " + key + " in " + map + ": " + out.strip(), false);
        }
        return entry;
    }

    /** The one element of nft's listing of a {@code get element}, or empty when the text has none. */
    static Optional<Entry> parseElement(String listing) {
        Matcher m = ELEMENT.matcher(listing.replace('\n', ' '));
        if (!m.find()) {
            return Optional.empty();
        }
        String mark = m.group(2);
        long value = mark.startsWith("0x") ? Long.parseLong(mark.substring(2), 16) : Long.parseLong(mark);
        return Optional.of(new Entry(value, m.group(1) == null ? null : millis(m.group(1))));
    }

    /** nft's {@code 4m59s996ms} in milliseconds. */
    static long millis(String nftDuration) {
        long total = 0;
        Matcher m = DURATION_PART.matcher(nftDuration);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total += switch (m.group(2)) {
                case "d" -> n * 86_400_000L;
                case "h" -> n * 3_600_000L;
                case "m" -> n * 60_000L;
                case "s" -> n * 1000L;
                default -> n;
            };
        }
        return total;
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
