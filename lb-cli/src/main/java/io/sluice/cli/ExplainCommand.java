package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.ExplainView;
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
        JsonNode answer = client().get("/explain", query);
        if (json()) {
            printJson(answer);
            return ExitCodes.OK;
        }
        ExplainView e = AdminClient.read(answer, ExplainView.class, "GET /explain");
        List<String> offered = Views.list(e.alpn());
        Views.Pairs pairs = new Views.Pairs()
                .add("listener", e.listener())
                .add("client", e.client())
                .add("sni", e.sni())
                .add("alpn", offered.isEmpty() ? null : String.join(", ", offered));
        String kind = e.routeKind();
        pairs.add("route", kind == null ? "none matches"
                : kind + (e.routePattern() == null ? "" : " " + e.routePattern()));
        pairs.add("pool", e.pool());
        pairs.add("sticky key", e.stickyKey() == null ? "- (pool not sticky)" : e.stickyKey());
        pairs.add("key hash", e.keyHash());
        if (e.maglevFingerprint() != null) {
            pairs.add("maglev", "generation " + (e.maglevGeneration() == null ? 0 : e.maglevGeneration())
                    + ", fingerprint " + e.maglevFingerprint());
        }
        ExplainView.StickEntry stick = e.stickEntry();
        if (stick != null) {
            pairs.add("stick entry", stick.backend() + " (" + stick.pins() + " pins, idle "
                    + HumanDurations.human(Duration.ofSeconds(stick.idleSeconds())) + ")"
                    + (stick.why() == null ? "" : ": " + stick.why()));
        }
        String backend = e.backend();
        String decidedBy = e.decidedBy();
        if (backend == null && "balancer".equals(decidedBy)) {
            // Round-robin, least-conn and random-two choose at connect time: any candidate may be next.
            pairs.add("backend", "chosen at connect time by the pool's balancer among the candidates below");
        } else {
            pairs.add("backend", backend == null ? "none: no eligible backend" : backend + " (decided by " + decidedBy + ")");
        }
        pairs.print(out());
        if (!Views.list(e.skipped()).isEmpty()) {
            out().println();
            Table t = table("SKIPPED", "REASON");
            for (ExplainView.Skipped s : e.skipped()) {
                t.row(s.backend(), s.reason());
            }
            t.print(out());
        }
        return ExitCodes.OK;
    }
}
