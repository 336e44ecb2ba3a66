package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** How the API's JSON shapes read in a table: shared by the commands that show backends and times. */
final class Views {
    private Views() {}

    /** The backend columns of {@code backends POOL} and of every command answering a {@code BackendView}. */
    static Table backends(AdminCommand command, Iterable<JsonNode> backends) {
        Instant now = command.context().clock().instant();
        Table t = command.table("NAME", "ADDRESS", "HEALTH", "ADMIN", "WEIGHT", "ACTIVE", "TOTAL", "LAST CHECK")
                .alignRight(4, 5, 6);
        for (JsonNode b : backends) {
            t.row(b.path("name").asText(),
                    text(b, "address"),
                    health(text(b, "health")),
                    admin(text(b, "admin")),
                    weight(b),
                    b.path("active_connections").asLong(),
                    b.path("total_connections").asLong(),
                    lastCheck(b, now));
        }
        return t;
    }

    /** {@code weight/effective}; a {@code *} marks an admin override of the configured weight. */
    private static String weight(JsonNode b) {
        int weight = b.path("weight").asInt();
        boolean overridden = b.hasNonNull("configured_weight") && b.get("configured_weight").asInt() != weight;
        return weight + (overridden ? "*" : "") + "/" + b.path("effective_weight").asInt();
    }

    private static String lastCheck(JsonNode b, Instant now) {
        String result = text(b, "last_check_result");
        String at = text(b, "last_check");
        if (at == null) {
            return result;
        }
        return (result == null ? "" : result + " ") + relative(at, now);
    }

    static Table.Cell health(String health) {
        return Table.cell(health, "up".equals(health) ? Table.Style.GREEN : Table.Style.RED);
    }

    static Table.Cell admin(String admin) {
        Table.Style style = switch (admin == null ? "" : admin) {
            case "ready" -> Table.Style.NONE;
            case "drain" -> Table.Style.YELLOW;
            default -> Table.Style.CYAN;
        };
        return Table.cell(admin, style);
    }

    /** {@code 3s ago} / {@code in 10m} for an ISO-8601 instant; the text as it came if it does not parse. */
    static String relative(String iso, Instant now) {
        try {
            Instant at = Instant.parse(iso);
            Duration d = Duration.between(now, at);
            return d.isNegative() ? Durations.human(d) + " ago" : "in " + Durations.human(d);
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /** A string field, null when absent or JSON null. */
    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(e -> list.add(e.asText()));
        }
        return list;
    }

    /** {@code 512B}, {@code 1.0KiB}, {@code 70.0MiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + "B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f%s", v, units[u]);
    }

    /** Key/value lines with aligned values (status, explain). */
    static final class Pairs {
        private final List<String[]> pairs = new ArrayList<>();

        Pairs add(String key, Object value) {
            pairs.add(new String[] {key, value == null ? "-" : String.valueOf(value)});
            return this;
        }

        void print(PrintWriter out) {
            int width = pairs.stream().mapToInt(p -> p[0].length()).max().orElse(0);
            for (String[] p : pairs) {
                out.println(p[0] + " ".repeat(width - p[0].length() + 2) + p[1]);
            }
            out.flush();
        }
    }
}
