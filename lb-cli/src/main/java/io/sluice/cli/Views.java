package io.sluice.cli;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.DrainView;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How the admin API's records read in a table: shared by the commands that show backends and times. */
final class Views {
    private Views() {}

    /** The backend columns of {@code backends POOL} and of every command answering a {@code BackendView}. */
    static Table backends(AdminCommand command, Iterable<BackendView> backends) {
        Instant now = command.context().clock().instant();
        Table t = command.table("NAME", "ADDRESS", "HEALTH", "ADMIN", "WEIGHT", "ACTIVE", "TOTAL", "LAST CHECK")
                .alignRight(4, 5, 6);
        for (BackendView b : backends) {
            t.row(b.name(),
                    b.address(),
                    health(b.health()),
                    admin(b.admin()),
                    weight(b),
                    b.activeConnections(),
                    b.totalConnections(),
                    lastCheck(b, now));
        }
        return t;
    }

    /**
     * One line per drain in force, the operator's and the registry's side by side under the table:
     * {@code main/a  operator drain by admin api 2m ago, reason "disk swap", closes in 8m}.
     */
    static List<String> drains(String pool, Iterable<BackendView> backends, Instant now) {
        List<String> lines = new ArrayList<>();
        for (BackendView b : backends) {
            if (b.operatorDrain() != null) {
                lines.add(pool + "/" + b.name() + "  operator " + drain(b.operatorDrain(), now));
            }
            if (b.registryDrain() != null) {
                lines.add(pool + "/" + b.name() + "  registry " + drain(b.registryDrain(), now));
            }
        }
        return lines;
    }

    /** {@code drain by admin api 2m ago, reason "x", closes in 8m} (the registry's: its cause first). */
    static String drain(DrainView d, Instant now) {
        return d.state() + " by " + d.by() + (d.since() == null ? "" : " " + relative(d.since(), now))
                + (d.reason() == null ? "" : ", reason \"" + d.reason() + "\"")
                + (d.deadline() == null ? "" : ", closes " + relative(d.deadline(), now));
    }

    /** For explain's skipped list: {@code  (operator: ...; registry: ...)}, or "" when neither drains it. */
    static String drainsInline(DrainView operator, DrainView registry, Instant now) {
        List<String> parts = new ArrayList<>();
        if (operator != null) {
            parts.add("operator: " + drain(operator, now));
        }
        if (registry != null) {
            parts.add("registry: " + drain(registry, now));
        }
        return parts.isEmpty() ? "" : " (" + String.join("; ", parts) + ")";
    }

    /** {@code weight/effective}; a {@code *} marks an admin override of the configured weight. */
    private static String weight(BackendView b) {
        boolean overridden = b.configuredWeight() != b.weight();
        return b.weight() + (overridden ? "*" : "") + "/" + b.effectiveWeight();
    }

    private static String lastCheck(BackendView b, Instant now) {
        String result = b.lastCheckResult();
        String at = b.lastCheck();
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

    /**
     * {@code 3s ago} / {@code in 10m} for an ISO-8601 instant, rounded to the nearest second from one
     * second on (a deadline 1.98 s away is "in 2s", not "in 1s"); the text as it came if it does not parse.
     */
    static String relative(String iso, Instant now) {
        try {
            Duration d = Duration.between(now, Instant.parse(iso));
            Duration abs = d.abs();
            if (abs.toMillis() >= 1000) {
                abs = Duration.ofSeconds((abs.toMillis() + 500) / 1000);
            }
            return d.isNegative() ? HumanDurations.human(abs) + " ago" : "in " + HumanDurations.human(abs);
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /**
     * An ISO-8601 instant as a person reads a clock: {@code 14:05:09 UTC} in the clock's zone, with the date
     * in front when it is not within a day of now; the text as it came if it does not parse.
     */
    static String clockTime(String iso, Clock clock) {
        try {
            Instant at = Instant.parse(iso);
            ZoneId zone = clock.getZone();
            boolean near = Duration.between(clock.instant(), at).abs().compareTo(Duration.ofHours(20)) < 0;
            String zoneName = zone.normalized().equals(ZoneOffset.UTC) ? "UTC" : ZONE.withZone(zone).format(at);
            return (near ? TIME : DATE_TIME).withZone(zone).format(at) + " " + zoneName;
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter ZONE = DateTimeFormatter.ofPattern("zzz", Locale.ROOT);

    /** The list, or an empty one for an absent (null) field. */
    static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
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
