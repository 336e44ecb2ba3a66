package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.duration.Durations;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test fixture, not the daemon: a small HTTP server on 127.0.0.1:0 that speaks the admin API
 * contract of docs/admin-api.md with canned but realistic JSON (pools {@code chat} and {@code web}),
 * records every request (method, path, query, Authorization header, body) and remembers the last
 * body it served, so tests can check both what sluicectl sent and what it printed.
 */
final class AdminApiFixture implements AutoCloseable {
    static final String TOKEN = "s3cret-admin-token";

    /** One request as the fixture saw it; {@code query} and {@code authorization} may be null. */
    record Request(String method, String path, String query, String authorization, String body) {
        JsonNode json() {
            try {
                return body.isEmpty() ? null : MAPPER.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern POOL = Pattern.compile("/api/v1/pools/([^/]+)");
    private static final Pattern ACTION = Pattern.compile("/api/v1/pools/([^/]+)/backends/([^/]+)/(drain|undrain|ready|maint|weight)");

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, ObjectNode> pools = new LinkedHashMap<>();
    private volatile String lastServed;

    /** Connections a draining backend loses at each GET of its pool (0: it never drains). */
    volatile int drainStep = 0;
    /** The drain_deadline the drain call answers with; null: now + the requested deadline, or none. */
    volatile String drainDeadline;
    /** After this many GETs of a pool, its draining backends are put back to ready (someone ran undrain); -1: never. */
    volatile int undrainAfterPolls = -1;
    private int poolPolls;
    /** When set, POST /reload answers 422 config-rejected with these errors. */
    volatile List<String> reloadErrors;

    /** The daemon's pid in the status; a takeover replaces it with the new daemon's. */
    volatile long pid = 1200;
    /** {@code handover.socket} in the status; null: the config has none. */
    volatile String handoverSocket = "/run/sluice/handover.sock";
    /** {@code handover.state} before any takeover. */
    volatile String handoverState = "idle";
    /**
     * Plays a takeover once this file holds a pid (the new daemon's, written by a test script): one
     * status answer with the old pid handing over, then {@link #unreachablePolls} requests dropped
     * (the admin listener moving between processes), then that pid, idle, with a received handover
     * whose outcome is {@link #takeoverOutcome}. Null: no takeover ever happens.
     */
    volatile Path takeoverPidFile;
    volatile int unreachablePolls;
    volatile String takeoverOutcome = "done";
    private int takeoverStep;
    private ObjectNode lastHandover;

    AdminApiFixture() throws IOException {
        seed();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    Request onlyRequest() {
        if (requests.size() != 1) {
            throw new AssertionError("expected one request, got " + requests);
        }
        return requests.get(0);
    }

    /** The last body served, as JSON: what {@code -o json} must re-emit. */
    JsonNode lastServed() throws IOException {
        return MAPPER.readTree(lastServed);
    }

    ObjectNode backend(String pool, String name) {
        for (JsonNode b : pools.get(pool).withArray("backends")) {
            if (b.path("name").asText().equals(name)) {
                return (ObjectNode) b;
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = ex.getRequestURI().getRawPath();
        requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(),
                ex.getRequestHeaders().getFirst("Authorization"), body));
        if (path.equals("/api/v1/status") && dropDuringTakeover()) {
            ex.close(); // no answer at all: the client sees the connection end, as when nobody listens
            return;
        }
        try {
            route(ex, path, body);
        } catch (RuntimeException e) {
            problem(ex, 500, "internal", e.toString(), null);
        }
    }

    private synchronized void route(HttpExchange ex, String path, String body) throws IOException {
        String method = ex.getRequestMethod();
        if (method.equals("POST") && !("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer");
            problem(ex, 401, "unauthorized", "missing or wrong bearer token", null);
            return;
        }
        Matcher action = ACTION.matcher(path);
        Matcher pool = POOL.matcher(path);
        if (method.equals("GET") && path.equals("/api/v1/status")) {
            json(ex, 200, status());
        } else if (method.equals("GET") && path.equals("/api/v1/pools")) {
            ObjectNode all = MAPPER.createObjectNode();
            all.putArray("pools").addAll(new ArrayList<>(pools.values()));
            json(ex, 200, all);
        } else if (method.equals("GET") && pool.matches()) {
            ObjectNode p = pools.get(decode(pool.group(1)));
            if (p == null) {
                problem(ex, 404, "not-found", "no pool '" + decode(pool.group(1)) + "' (pools: " + String.join(", ", pools.keySet()) + ")", null);
                return;
            }
            boolean undrain = ++poolPolls == undrainAfterPolls;
            for (JsonNode b : p.withArray("backends")) {
                if (undrain && "drain".equals(b.path("admin").asText())) {
                    ((ObjectNode) b).put("admin", "ready").put("cause", "admin api");
                }
                if ("drain".equals(b.path("admin").asText())) {
                    ((ObjectNode) b).put("active_connections", Math.max(0, b.path("active_connections").asInt() - drainStep));
                }
            }
            json(ex, 200, p);
        } else if (method.equals("POST") && action.matches()) {
            backendAction(ex, decode(action.group(1)), decode(action.group(2)), action.group(3), body);
        } else if (method.equals("GET") && path.equals("/api/v1/connections")) {
            json(ex, 200, connections(query(ex)));
        } else if (method.equals("GET") && path.equals("/api/v1/explain")) {
            explain(ex, query(ex));
        } else if (method.equals("POST") && path.equals("/api/v1/reload")) {
            if (reloadErrors != null) {
                ArrayNode errors = MAPPER.createArrayNode();
                reloadErrors.forEach(errors::add);
                problem(ex, 422, "config-rejected", "the new config has " + reloadErrors.size()
                        + " errors; the running config is kept", errors);
            } else {
                ObjectNode ok = MAPPER.createObjectNode().put("ok", true)
                        .put("summary", "pools: chat changed (app-4 added); listeners unchanged");
                ok.putArray("errors");
                json(ex, 200, ok);
            }
        } else {
            problem(ex, 404, "not-found", "no such endpoint: " + method + " " + path, null);
        }
    }

    private void backendAction(HttpExchange ex, String pool, String name, String action, String body) throws IOException {
        if (!pools.containsKey(pool)) {
            problem(ex, 404, "not-found", "no pool '" + pool + "' (pools: " + String.join(", ", pools.keySet()) + ")", null);
            return;
        }
        ObjectNode b = backend(pool, name);
        if (b == null) {
            List<String> names = new ArrayList<>();
            pools.get(pool).withArray("backends").forEach(n -> names.add(n.path("name").asText()));
            problem(ex, 404, "not-found", "no backend '" + name + "' in pool '" + pool + "' (backends: "
                    + String.join(", ", names) + ")", null);
            return;
        }
        JsonNode req = body.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(body);
        String now = Instant.now().toString();
        switch (action) {
            case "drain" -> {
                b.put("admin", "drain").put("effective_weight", 0).put("eligible", false).put("since", now).put("cause", "admin api");
                String deadline = drainDeadline;
                if (deadline == null && req.hasNonNull("deadline")) {
                    deadline = Instant.now().plus(Durations.parseArgument(req.get("deadline").asText())).toString();
                }
                b.put("drain_deadline", deadline);
            }
            case "undrain", "ready" -> b.put("admin", "ready").put("effective_weight", b.path("weight").asInt())
                    .put("eligible", "up".equals(b.path("health").asText())).putNull("drain_deadline")
                    .put("since", now).put("cause", "admin api");
            case "maint" -> b.put("admin", "maint").put("effective_weight", 0).put("eligible", false)
                    .put("active_connections", req.path("kill").asBoolean() ? 0 : b.path("active_connections").asInt())
                    .put("since", now).put("cause", "admin api");
            default -> {
                int w = req.path("weight").asInt(-1);
                if (!req.path("weight").isInt() || w < 0 || w > 1000) {
                    problem(ex, 400, "bad-request", "weight: " + req.path("weight") + " (expected 0..1000)", null);
                    return;
                }
                b.put("weight", w).put("effective_weight", "ready".equals(b.path("admin").asText()) ? w : 0);
            }
        }
        json(ex, 200, b);
    }

    private ObjectNode connections(Map<String, String> query) {
        ArrayNode all = MAPPER.createArrayNode();
        all.add(connection("tls-in", "203.0.113.7:51544", "chat.example.com", "chat", "app-1", 48_213, 1_204_993, 12));
        all.add(connection("tls-in", "198.51.100.23:40022", "chat.example.com", "chat", "app-2", 3_301, 88_120, 340));
        all.add(connection("tls-in", "192.0.2.80:33901", "www.example.com", "web", "web-1", 912, 24_576, 3));
        ArrayNode picked = MAPPER.createArrayNode();
        for (JsonNode c : all) {
            if ((query.get("pool") == null || query.get("pool").equals(c.path("pool").asText()))
                    && (query.get("backend") == null || query.get("backend").equals(c.path("backend").asText()))) {
                picked.add(c);
            }
        }
        int limit = Integer.parseInt(query.getOrDefault("limit", "100"));
        ArrayNode limited = MAPPER.createArrayNode();
        for (int i = 0; i < Math.min(limit, picked.size()); i++) {
            limited.add(picked.get(i));
        }
        ObjectNode answer = MAPPER.createObjectNode();
        answer.set("connections", limited);
        answer.put("total", picked.size());
        return answer;
    }

    private void explain(HttpExchange ex, Map<String, String> q) throws IOException {
        String client = q.get("client");
        if (client == null || !client.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            problem(ex, 400, "bad-request", "client: '" + client + "' (expected an IP address)", null);
            return;
        }
        if (q.get("listener") != null && !q.get("listener").equals("tls-in") && !q.get("listener").equals("redis")) {
            problem(ex, 404, "not-found", "no listener '" + q.get("listener") + "' (listeners: tls-in, redis)", null);
            return;
        }
        ObjectNode e = MAPPER.createObjectNode();
        e.put("listener", q.getOrDefault("listener", "tls-in")).put("client", client).put("sni", q.get("sni"));
        ArrayNode alpn = e.putArray("alpn");
        if (q.get("alpn") != null) {
            for (String a : q.get("alpn").split(",")) {
                alpn.add(a);
            }
        }
        e.put("route_kind", "exact").put("route_pattern", "chat.example.com").put("pool", "chat")
                .put("sticky_key", "203.0.113.0/24").put("key_hash", "5be0cd19137e2179")
                .put("maglev_generation", 7).put("maglev_fingerprint", "9f3c2a71d04be8e5");
        e.putObject("stick_entry").put("backend", "app-2").put("pins", 3).put("idle_seconds", 0);
        e.put("backend", "app-2").put("decided_by", "stick-table");
        ArrayNode skipped = e.putArray("skipped");
        skipped.addObject().put("backend", "app-1").put("reason", "not-chosen");
        skipped.addObject().put("backend", "app-3").put("reason", "down");
        json(ex, 200, e);
    }

    /** Steps the takeover: true while the status requests of the moving admin listener are to be dropped. */
    private synchronized boolean dropDuringTakeover() {
        long newPid = takeoverPid();
        if (newPid < 0 || newPid == pid) {
            return false;
        }
        takeoverStep++;
        if (takeoverStep == 1) {
            handoverState = "handing-over";
            return false;
        }
        if (takeoverStep <= 1 + unreachablePolls) {
            return true;
        }
        lastHandover = MAPPER.createObjectNode().put("role", "received").put("peer_pid", pid)
                .put("started_at", Instant.now().minusMillis(1234).toString()).put("duration_millis", 1234)
                .put("connections", 10_000).put("refused", 0).put("kept", 0).put("longest_pause_millis", 85)
                .put("listeners", 2).put("outcome", takeoverOutcome);
        pid = newPid;
        handoverState = "idle";
        return false;
    }

    private long takeoverPid() {
        Path file = takeoverPidFile;
        try {
            String text = file == null || !Files.exists(file) ? "" : Files.readString(file).trim();
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (IOException | NumberFormatException e) {
            return -1; // being written
        }
    }

    private ObjectNode status() {
        ObjectNode s = MAPPER.createObjectNode().put("version", "0.1.0").put("uptime_seconds", 273_600)
                .put("transport", "epoll").put("config_file", "/etc/sluice/sluice.yaml").put("active_connections", 52)
                .put("pid", pid);
        s.putObject("handover").put("socket", handoverSocket).put("state", handoverState).set("last", lastHandover);
        ArrayNode listeners = s.putArray("listeners");
        ObjectNode tls = listeners.addObject().put("name", "tls-in").put("bind", "0.0.0.0:443").put("mode", "tls");
        tls.putArray("pools").add("chat").add("web");
        ObjectNode tcp = listeners.addObject().put("name", "redis").put("bind", "0.0.0.0:6379").put("mode", "tcp");
        tcp.putArray("pools").add("cache");
        return s;
    }

    private void seed() {
        ObjectNode chat = pool("chat", "maglev", "client-ip", 7, "9f3c2a71d04be8e5", 1204, "tcp");
        chat.withArray("backends").add(backendView("app-1", "10.0.1.11:9001", "up", 40, 3401));
        chat.withArray("backends").add(backendView("app-2", "10.0.1.12:9001", "up", 12, 2988));
        ObjectNode app3 = backendView("app-3", "10.0.1.13:9001", "down", 0, 1710);
        app3.put("eligible", false).put("effective_weight", 0).put("last_check_result", "refused").put("cause", "health check");
        chat.withArray("backends").add(app3);
        ObjectNode web = pool("web", "round-robin", null, 3, null, 0, "http");
        web.withArray("backends").add(backendView("web-1", "10.0.2.21:8080", "up", 5, 912).putNull("maglev_slots"));
        web.withArray("backends").add(backendView("web-2", "10.0.2.22:8080", "up", 2, 877).putNull("maglev_slots"));
        for (ObjectNode p : List.of(chat, web)) {
            int active = 0;
            for (JsonNode b : p.withArray("backends")) {
                active += b.path("active_connections").asInt();
            }
            p.put("active_connections", active);
            pools.put(p.path("name").asText(), p);
        }
    }

    private static ObjectNode pool(String name, String balance, String sticky, long generation, String fingerprint,
            int stickTable, String check) {
        ObjectNode p = MAPPER.createObjectNode().put("name", name).put("balance", balance).put("sticky_key", sticky)
                .put("generation", generation).put("maglev_fingerprint", fingerprint).put("stick_table_size", stickTable)
                .put("health_check", check).put("active_connections", 0);
        p.putArray("backends");
        return p;
    }

    private static ObjectNode backendView(String name, String address, String health, int active, long total) {
        return MAPPER.createObjectNode().put("name", name).put("address", address).put("health", health)
                .put("admin", "ready").put("weight", 100).put("configured_weight", 100).put("effective_weight", 100)
                .put("eligible", true).put("active_connections", active).put("total_connections", total)
                .put("bytes_up", 1_048_576).put("bytes_down", 73_400_320)
                .put("last_check", Instant.now().minusSeconds(3).toString()).put("last_check_result", "ok")
                .putNull("drain_deadline").put("since", "2026-11-26T04:40:00Z").put("cause", "startup")
                .put("maglev_slots", 21_841);
    }

    private static ObjectNode connection(String listener, String client, String sni, String pool, String backend,
            long up, long down, long age) {
        return MAPPER.createObjectNode().put("listener", listener).put("client", client).put("sni", sni)
                .put("pool", pool).put("backend", backend).put("bytes_up", up).put("bytes_down", down).put("age_seconds", age);
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        return q;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, "application/json", MAPPER.writeValueAsString(body));
    }

    private void problem(HttpExchange ex, int status, String type, String detail, ArrayNode errors) throws IOException {
        ObjectNode p = MAPPER.createObjectNode().put("type", "https://sluice.dev/problems/" + type)
                .put("title", switch (status) {
                    case 400 -> "Bad Request";
                    case 401 -> "Unauthorized";
                    case 404 -> "Not Found";
                    case 422 -> "Unprocessable Content";
                    default -> "Internal Server Error";
                })
                .put("status", status).put("detail", detail).put("instance", ex.getRequestURI().getPath());
        if (errors != null) {
            p.set("errors", errors);
        }
        send(ex, status, "application/problem+json", MAPPER.writeValueAsString(p));
    }

    private void send(HttpExchange ex, int status, String type, String body) throws IOException {
        lastServed = body;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
