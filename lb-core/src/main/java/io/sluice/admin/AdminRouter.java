package io.sluice.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.NetUtil;
import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.ConnectionList;
import io.sluice.adminapi.ConnectionView;
import io.sluice.adminapi.PoolList;
import io.sluice.adminapi.PoolView;
import io.sluice.adminapi.ProblemType;
import io.sluice.adminapi.Readiness;
import io.sluice.adminapi.ReloadResult;
import io.sluice.adminapi.StickTableView;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps each endpoint of docs/admin-api.md to an {@link AdminOperations} call and its result to an
 * {@link AdminResponse}. Order of checks: unknown path (404), wrong method (405), bearer token on
 * POST (401), body and parameters (400), then the call (404 for unknown names, 400 for
 * {@link IllegalArgumentException}).
 *
 * <p>Runs on the admin executor; the calls may block briefly.
 */
final class AdminRouter {

    private static final Logger log = LoggerFactory.getLogger(AdminRouter.class);

    static final int WEIGHT_MAX = 1000;
    static final int CONNECTIONS_DEFAULT_LIMIT = 100;
    static final int CONNECTIONS_MAX_LIMIT = 10_000;

    private static final Set<HttpMethod> GET = Set.of(HttpMethod.GET, HttpMethod.HEAD);
    private static final Set<HttpMethod> POST = Set.of(HttpMethod.POST);

    private final AdminOperations ops;
    private final BearerAuth auth;
    private final StatusPage statusPage;

    AdminRouter(AdminOperations ops, BearerAuth auth, StatusPage statusPage) {
        this.ops = Objects.requireNonNull(ops, "ops");
        this.auth = auth;
        this.statusPage = statusPage;
    }

    /** A matched path: the methods it allows and what it does. */
    private record Route(Set<HttpMethod> methods, Function<AdminRequest, AdminResponse> action) {}

    /** The answer to {@code request}; problems are thrown as {@link ApiProblem}. */
    AdminResponse handle(AdminRequest request) {
        Route route = match(request.segments());
        if (route == null) {
            throw ApiProblem.notFound("no such endpoint: " + request.path() + " (see docs/admin-api.md)");
        }
        if (!route.methods().contains(request.method())) {
            String allow = route.methods().equals(GET) ? "GET, HEAD" : "POST";
            throw new ApiProblem(ProblemType.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed on " + request.path() + " (allowed: " + allow + ")")
                    .header("Allow", allow);
        }
        if (route.methods().equals(POST)) {
            auth.check(request.authorization());
        }
        return route.action().apply(request);
    }

    private Route match(List<String> s) {
        int n = s.size();
        if (n == 0) {
            return new Route(GET, r -> AdminResponse.html(statusPage.bytes()));
        }
        if (n == 1) {
            return switch (s.get(0)) {
                case "healthz" -> new Route(GET, r -> AdminResponse.ok(Map.of("status", "ok")));
                case "readyz" -> new Route(GET, r -> readiness());
                case "metrics" -> new Route(GET, r -> AdminResponse.text(AdminResponse.PROMETHEUS_TEXT, ops.prometheusText()));
                default -> null;
            };
        }
        if (n < 3 || !s.get(0).equals("api") || !s.get(1).equals("v1")) {
            return null;
        }
        String resource = s.get(2);
        if (n == 3) {
            return switch (resource) {
                case "status" -> new Route(GET, r -> AdminResponse.ok(ops.status()));
                case "pools" -> new Route(GET, r -> AdminResponse.ok(new PoolList(ops.pools())));
                case "connections" -> new Route(GET, this::connections);
                case "explain" -> new Route(GET, this::explain);
                case "reload" -> new Route(POST, this::reload);
                default -> null;
            };
        }
        if (!resource.equals("pools")) {
            return null;
        }
        String pool = s.get(3);
        if (n == 4) {
            return new Route(GET, r -> AdminResponse.ok(ops.pool(pool)));
        }
        if (n == 5 && s.get(4).equals("stick-table")) {
            return new Route(GET, r -> AdminResponse.ok(ops.stickTable(pool, limit(r))));
        }
        if (n == 6 && s.get(4).equals("stick-table") && s.get(5).equals("clear")) {
            return new Route(POST, r -> {
                JsonBody.parse(r.body(), List.of());
                StickTableView view = ops.clearStickTable(pool);
                log.info("admin api: stick-table clear {} ({} entries) by {}", pool, view.cleared(), r.client());
                return AdminResponse.ok(view);
            });
        }
        if (n != 7 || !s.get(4).equals("backends")) {
            return null;
        }
        String backend = s.get(5);
        return switch (s.get(6)) {
            case "drain" -> new Route(POST, r -> drain(r, pool, backend));
            case "undrain", "ready" -> new Route(POST, r -> {
                JsonBody.parse(r.body(), List.of());
                BackendView view = ops.ready(pool, backend);
                audit(r, "ready", pool, backend, "");
                return AdminResponse.ok(view);
            });
            case "maint" -> new Route(POST, r -> {
                boolean kill = JsonBody.parse(r.body(), List.of("kill")).bool("kill", false);
                BackendView view = ops.maint(pool, backend, kill);
                audit(r, "maint", pool, backend, kill ? " (kill)" : "");
                return AdminResponse.ok(view);
            });
            case "weight" -> new Route(POST, r -> {
                int weight = JsonBody.parse(r.body(), List.of("weight")).requiredInt("weight", 0, WEIGHT_MAX);
                BackendView view = ops.weight(pool, backend, weight);
                audit(r, "weight", pool, backend, " " + weight);
                return AdminResponse.ok(view);
            });
            default -> null;
        };
    }

    private AdminResponse readiness() {
        Readiness readiness = ops.readiness();
        if (readiness.ready()) {
            return AdminResponse.ok(readiness);
        }
        // A problem document that also carries the readiness body, so probes see 503 and people see why.
        Map<String, Object> details = readiness.details() == null ? Map.of() : readiness.details();
        String failing = details.entrySet().stream()
                .filter(e -> Boolean.FALSE.equals(e.getValue()))
                .map(Map.Entry::getKey)
                .sorted()
                .collect(Collectors.joining(", "));
        throw new ApiProblem(ProblemType.UNAVAILABLE, failing.isEmpty() ? "not ready" : "not ready: " + failing)
                .extension("ready", false)
                .extension("details", details);
    }

    private AdminResponse drain(AdminRequest request, String pool, String backend) {
        JsonBody body = JsonBody.parse(request.body(), List.of("deadline", "close_rate"));
        Duration deadline = body.duration("deadline");
        Double closeRate = body.positiveNumber("close_rate");
        BackendView view = ops.drain(pool, backend, deadline, closeRate);
        audit(request, "drain", pool, backend,
                (deadline == null ? "" : " deadline " + deadline) + (closeRate == null ? "" : " close_rate " + closeRate));
        return AdminResponse.ok(view);
    }

    private AdminResponse connections(AdminRequest request) {
        String pool = request.param("pool");
        String backend = request.param("backend");
        int limit = limit(request);
        long total = total(pool, backend);
        List<ConnectionView> connections = ops.connections(pool, backend, limit);
        return AdminResponse.ok(new ConnectionList(connections, Math.max(total, connections.size())));
    }

    /** The {@code limit} parameter of a listing: default 100, at most 10000. */
    private static int limit(AdminRequest request) {
        int limit = CONNECTIONS_DEFAULT_LIMIT;
        String limitText = request.param("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 0 || limit > CONNECTIONS_MAX_LIMIT) {
                throw ApiProblem.badRequest("bad 'limit': '" + limitText + "' (expected an integer 0.." + CONNECTIONS_MAX_LIMIT + ")");
            }
        }
        return limit;
    }

    /**
     * All live connections matching the filter (the listing is cut at {@code limit}); taken from the
     * active-connection counters of the status and pool views, which also makes an unknown pool or
     * backend a 404.
     */
    private long total(String pool, String backend) {
        if (pool == null && backend == null) {
            return ops.status().activeConnections();
        }
        List<PoolView> pools = pool == null ? ops.pools() : List.of(ops.pool(pool));
        if (backend == null) {
            return pools.get(0).activeConnections();
        }
        long total = 0;
        boolean found = false;
        for (PoolView p : pools) {
            for (BackendView b : p.backends()) {
                if (b.name().equals(backend)) {
                    total += b.activeConnections();
                    found = true;
                }
            }
        }
        if (!found) {
            throw ApiProblem.notFound(pool == null
                    ? "no backend '" + backend + "' in any pool"
                    : "no backend '" + backend + "' in pool '" + pool + "' (backends: "
                            + pools.get(0).backends().stream().map(BackendView::name).collect(Collectors.joining(", ")) + ")");
        }
        return total;
    }

    private AdminResponse explain(AdminRequest request) {
        String clientText = request.param("client");
        if (clientText == null) {
            throw ApiProblem.badRequest("missing query parameter 'client' (expected an IP address, e.g. client=203.0.113.7)");
        }
        String literal = clientText.startsWith("[") && clientText.endsWith("]")
                ? clientText.substring(1, clientText.length() - 1) : clientText;
        // An IP literal only: a host name would need DNS, which the admin API does not do.
        InetAddress client = NetUtil.createInetAddressFromIpAddressString(literal);
        if (client == null) {
            throw ApiProblem.badRequest("bad 'client': '" + clientText + "' (expected an IPv4 or IPv6 address, not a host name)");
        }
        String alpnText = request.param("alpn");
        List<String> alpn = alpnText == null ? List.of()
                : Arrays.stream(alpnText.split(",")).map(String::strip).filter(a -> !a.isEmpty()).toList();
        return AdminResponse.ok(ops.explain(request.param("listener"), request.param("sni"), alpn, client));
    }

    private AdminResponse reload(AdminRequest request) {
        JsonBody.parse(request.body(), List.of());
        log.info("admin api: reload requested by {}", request.client());
        ReloadResult result = ops.reload();
        if (result.ok()) {
            return AdminResponse.ok(result);
        }
        List<String> errors = result.errors() == null ? List.of() : new ArrayList<>(result.errors());
        String summary = result.summary() == null || result.summary().isBlank()
                ? "the new config has " + errors.size() + (errors.size() == 1 ? " error" : " errors")
                        + "; the running one is kept"
                : result.summary();
        throw new ApiProblem(ProblemType.CONFIG_REJECTED, summary).extension("errors", errors);
    }

    /** One INFO line per applied mutation: who changed what, for the operator's audit trail. */
    private static void audit(AdminRequest request, String action, String pool, String backend, String args) {
        log.info("admin api: {} {}/{}{} by {}", action, pool, backend, args, request.client());
    }
}
