package io.sluice.admin;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.DirectView;
import io.sluice.adminapi.DrainView;
import io.sluice.adminapi.PoolView;
import io.sluice.adminapi.StatusView;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The status page's tables as HTML, rendered by the server from the same records the API answers, so
 * the page shows every backend (state, drains, weight, counters, actions) before its script runs or
 * when it cannot. The script then takes over and renders the same columns with live rates and charts
 * (status.html). Column order and hooks ({@code tr[data-backend]}, {@code td.actions}) are the same
 * in both; keep them together.
 *
 * <p>Stateless; called on the admin server's threads.
 */
final class StatusTables {

    /** Column headers: the script's COLUMNS in status.html are the same. */
    static final List<String> COLUMNS = List.of("backend", "state", "drains", "weight", "conns", "rates", "traffic (6 min)",
            "errors", "health checks", "actions");

    private StatusTables() {}

    /** The listeners' rows. */
    static String listeners(StatusView status) {
        StringBuilder out = new StringBuilder();
        for (StatusView.Listener l : status.listeners()) {
            out.append("<tr data-listener=\"").append(esc(l.name())).append("\"><td>").append(esc(l.name()))
                    .append("</td><td>").append(esc(l.bind())).append("</td><td>").append(esc(l.mode()))
                    .append("</td><td>").append(esc(String.join(", ", l.pools()))).append("</td></tr>\n");
        }
        return out.toString();
    }

    /** One section per pool, one row per backend. */
    static String pools(List<PoolView> pools, Instant now) {
        StringBuilder out = new StringBuilder();
        for (PoolView p : pools) {
            long eligible = p.backends().stream().filter(BackendView::eligible).count();
            long failures = p.backends().stream().mapToLong(BackendView::connectFailures).sum();
            long retries = p.backends().stream().mapToLong(BackendView::retries).sum();
            out.append("<section class=\"pool\" data-pool=\"").append(esc(p.name())).append("\" id=\"pool-")
                    .append(esc(p.name())).append("\"><h2>").append(esc(p.name())).append("<span class=\"meta\">")
                    .append(esc(p.balance())).append(" · check ").append(esc(p.healthCheck())).append(" · ")
                    .append(eligible).append('/').append(p.backends().size()).append(" eligible · ")
                    .append(p.activeConnections()).append(" active · ").append(failures).append(" connect errors · ")
                    .append(retries).append(" retries").append(direct(p)).append("</span></h2><table><colgroup>")
                    .append("<col class=\"c-name\"><col class=\"c-state\"><col class=\"c-drains\"><col class=\"c-weight\">")
                    .append("<col class=\"c-conns\"><col class=\"c-rates\"><col class=\"c-chart\"><col class=\"c-errors\">")
                    .append("<col class=\"c-checks\"><col class=\"c-actions\"></colgroup><thead><tr>");
            COLUMNS.forEach(c -> out.append("<th>").append(esc(c)).append("</th>"));
            out.append("</tr></thead><tbody>\n");
            for (BackendView b : p.backends()) {
                row(out, p.name(), b, now);
            }
            out.append("</tbody></table></section>\n");
        }
        return out.toString();
    }

    /**
     * The pool's direct listeners as the kernel holds them (docs/direct-routing.md): what nodes
     * behind one VIP must agree on (the table's fingerprint) and how many flows the kernel pins.
     */
    static String direct(PoolView p) {
        StringBuilder out = new StringBuilder();
        for (DirectView.Listener d : p.direct() == null ? List.<DirectView.Listener>of() : p.direct()) {
            out.append(" · direct ").append(esc(d.vip())).append(':')
                    .append(esc(d.ports().stream().map(String::valueOf).collect(Collectors.joining(","))))
                    .append('/').append(esc(d.protocol())).append(" kernel table ").append(esc(d.fingerprint()))
                    .append(", ").append(d.flows() == null ? "?" : String.valueOf(d.flows())).append(" flows");
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String pool, BackendView b, Instant now) {
        String key = pool + "/" + b.name();
        out.append("<tr class=\"backend\" data-backend=\"").append(esc(key)).append("\" data-pool=\"").append(esc(pool))
                .append("\" data-name=\"").append(esc(b.name())).append("\" data-state=\"").append(state(b)).append("\">");
        cell(out, "<b>" + esc(b.name()) + "</b><br><span class=\"muted\">" + esc(b.address()) + "</span>");
        cell(out, esc(b.health()) + ", " + esc(b.admin()));
        cell(out, drain("operator", b.operatorDrain(), now) + drain("registry", b.registryDrain(), now));
        cell(out, esc(weight(b)));
        cell(out, b.activeConnections() + " / " + b.totalConnections());
        cell(out, "<span class=\"muted\">sampling…</span>");
        cell(out, "");
        cell(out, b.connectFailures() + " / " + b.retries());
        String last = b.lastCheckResult() == null ? "no check" : esc(b.lastCheckResult()) + " " + esc(ago(b.lastCheck(), now));
        long down = b.checks() == null ? 0 : b.checks().downtimeSeconds();
        cell(out, last + "<br><span class=\"muted\">down " + human(Duration.ofSeconds(down)) + " in all</span>");
        out.append("<td class=\"actions\">");
        for (String[] a : new String[][] {{"drain", "Drain"}, {"ready", "Ready"}, {"maint", "Maint"}}) {
            out.append("<button type=\"button\" class=\"").append(a[0]).append("-btn\" data-action=\"").append(a[0])
                    .append("\" data-backend=\"").append(esc(key)).append("\" data-pool=\"").append(esc(pool))
                    .append("\" data-name=\"").append(esc(b.name())).append("\">").append(a[1]).append("</button>");
        }
        out.append("</td></tr>\n");
    }

    /** {@code weight/effective} with {@code *} marking an admin override: what sluicectl shows. */
    static String weight(BackendView b) {
        return b.weight() + (b.weight() != b.configuredWeight() ? "*" : "") + "/" + b.effectiveWeight();
    }

    private static String drain(String kind, DrainView d, Instant now) {
        if (d == null) {
            return "";
        }
        return "<div class=\"drain " + kind + "\" data-drain=\"" + kind + "\"><b>" + kind + ":</b> " + esc(d.state())
                + " by " + esc(d.by()) + (d.reason() == null ? "" : " — “" + esc(d.reason()) + "”")
                + (d.deadline() == null ? "" : ", closes " + esc(ago(d.deadline(), now))) + "</div>";
    }

    private static String state(BackendView b) {
        if ("maint".equals(b.admin())) {
            return "maint";
        }
        if ("down".equals(b.health())) {
            return "down";
        }
        return "drain".equals(b.admin()) ? "drain" : "up";
    }

    private static void cell(StringBuilder out, String html) {
        out.append("<td>").append(html).append("</td>");
    }

    /** {@code 3s ago} or {@code in 4m 10s}. */
    private static String ago(String iso, Instant now) {
        if (iso == null) {
            return "";
        }
        try {
            Duration d = Duration.between(now, Instant.parse(iso));
            return d.isNegative() ? human(d.negated()) + " ago" : "in " + human(d);
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s >= 3600) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s >= 60 ? s / 60 + "m " + s % 60 + "s" : s + "s";
    }

    /** HTML text and attribute escaping. */
    static String esc(String s) {
        if (s == null) {
            return "–";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
