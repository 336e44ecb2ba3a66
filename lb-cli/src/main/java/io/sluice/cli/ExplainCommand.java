package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluicectl explain}: GET /api/v1/explain, where a client would land now and why. */
@Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Show which route, pool and backend a client would get now, and why.")
final class ExplainCommand extends AdminCommand {

    @Option(names = "--client", required = true, paramLabel = "IP", description = "The client's address.")
    String client;

    @Option(names = "--sni", paramLabel = "NAME", description = "The server name the client sends (tls listeners).")
    String sni;

    @Option(names = "--alpn", paramLabel = "PROTOCOLS", split = ",", description = "ALPN protocols the client offers, e.g. h2,http/1.1.")
    List<String> alpn;

    @Option(names = "--listener", paramLabel = "NAME", description = "The listener (default: the only one).")
    String listener;

    @Override
    int run() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("listener", listener);
        query.put("client", client);
        query.put("sni", sni);
        query.put("alpn", alpn == null ? null : String.join(",", alpn));
        JsonNode e = client().get("/explain", query);
        if (json()) {
            printJson(e);
            return ExitCodes.OK;
        }
        Views.Pairs pairs = new Views.Pairs()
                .add("listener", Views.text(e, "listener"))
                .add("client", Views.text(e, "client"))
                .add("sni", Views.text(e, "sni"))
                .add("alpn", Views.strings(e.get("alpn")).isEmpty() ? null : String.join(", ", Views.strings(e.get("alpn"))));
        String kind = Views.text(e, "route_kind");
        pairs.add("route", kind == null ? "none matches"
                : kind + (Views.text(e, "route_pattern") == null ? "" : " " + Views.text(e, "route_pattern")));
        pairs.add("pool", Views.text(e, "pool"));
        pairs.add("sticky key", Views.text(e, "sticky_key") == null ? "- (pool not sticky)" : Views.text(e, "sticky_key"));
        pairs.add("key hash", Views.text(e, "key_hash"));
        if (Views.text(e, "maglev_fingerprint") != null) {
            pairs.add("maglev", "generation " + e.path("maglev_generation").asLong()
                    + ", fingerprint " + Views.text(e, "maglev_fingerprint"));
        }
        JsonNode stick = e.get("stick_entry");
        if (stick != null && !stick.isNull()) {
            pairs.add("stick entry", Views.text(stick, "backend") + " (" + stick.path("pins").asLong() + " pins, idle "
                    + Durations.human(Duration.ofSeconds(stick.path("idle_seconds").asLong())) + ")"
                    + (Views.text(stick, "why") == null ? "" : ": " + Views.text(stick, "why")));
        }
        String backend = Views.text(e, "backend");
        String decidedBy = Views.text(e, "decided_by");
        if (backend == null && "balancer".equals(decidedBy)) {
            // Round-robin, least-conn and random-two choose at connect time: any candidate may be next.
            pairs.add("backend", "chosen at connect time by the pool's balancer among the candidates below");
        } else {
            pairs.add("backend", backend == null ? "none: no eligible backend" : backend + " (decided by " + decidedBy + ")");
        }
        pairs.print(out());
        if (e.path("skipped").size() > 0) {
            out().println();
            Table t = table("SKIPPED", "REASON");
            for (JsonNode s : e.path("skipped")) {
                t.row(Views.text(s, "backend"), Views.text(s, "reason"));
            }
            t.print(out());
        }
        return ExitCodes.OK;
    }
}
