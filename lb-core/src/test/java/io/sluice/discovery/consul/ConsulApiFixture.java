package io.sluice.discovery.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A test fixture that speaks the subset of Consul's documented HTTP API Sluice uses; it is NOT
 * Consul. One agent, one node ({@code node1}, 127.0.0.1, datacenter {@code dc1}), on
 * {@code 127.0.0.1:0} (or a given port, so a test can stop and restart it where clients expect it).
 *
 * <p>Endpoints, as documented at developer.hashicorp.com/consul/api-docs:
 * <ul>
 *   <li>{@code GET /v1/health/service/<name>} with {@code ?passing}, repeatable {@code ?tag=},
 *       {@code ?dc=}, and blocking {@code ?index=&wait=} (features/blocking): returns at once when the
 *       index is absent or 0 or older than the current one, else holds the request until something
 *       changes or {@code wait} (default 5m, max 10m) expires; {@code X-Consul-Index} is always set
 *       and never goes backwards.</li>
 *   <li>{@code PUT /v1/catalog/register} of a service on an external node, kept in the shape real
 *       Consul returns it: {@code TaggedAddresses} as sent (often only {@code lan}), null {@code Meta}
 *       and {@code Tags} when not sent, no serfHealth check.</li>
 *   <li>{@code PUT /v1/agent/service/register}, {@code /v1/agent/service/deregister/<id>},
 *       {@code /v1/agent/check/pass|warn|fail/<checkId>} (TTL checks),
 *       {@code /v1/agent/service/maintenance/<id>?enable=&reason=}.</li>
 *   <li>{@code GET/PUT /v1/kv/<key>}: {@code ?cas=<modifyIndex>} answers {@code true}/{@code false},
 *       GET blocks on {@code ?index=} like the health endpoint, {@code ?raw}.</li>
 * </ul>
 * With a token configured, every request must carry it ({@code X-Consul-Token} or {@code ?token=}),
 * else 403. One index for the whole fixture (Consul's is per table): a watcher may wake for an
 * unrelated change, which Consul's documentation allows.
 */
public final class ConsulApiFixture implements AutoCloseable {

    static final String NODE = "node1";
    static final String NODE_ADDRESS = "127.0.0.1";
    static final String DATACENTER = "dc1";
    private static final long MAX_WAIT_MILLIS = TimeUnit.MINUTES.toMillis(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String requiredToken;
    private final Object lock = new Object();
    // Guarded by lock.
    private long index = 1;
    private final Map<String, ObjectNode> services = new LinkedHashMap<>();
    private final Map<String, ObjectNode> checks = new LinkedHashMap<>();
    private final Map<String, KvEntry> kv = new LinkedHashMap<>();
    /** Service ID -> its node, for services registered through the catalog on an external node. */
    private final Map<String, ObjectNode> externalNodes = new LinkedHashMap<>();

    private volatile int port;
    private volatile boolean running;
    private HttpServer server;
    private ExecutorService executor;

    private record KvEntry(byte[] value, long createIndex, long modifyIndex, long flags) {
    }

    /** A fixture without ACLs, on an ephemeral port, started. */
    public ConsulApiFixture() throws IOException {
        this(null);
    }

    /** @param requiredTokenOrNull the one token accepted; null for no ACLs */
    ConsulApiFixture(String requiredTokenOrNull) throws IOException {
        this.requiredToken = requiredTokenOrNull;
        start(0);
    }

    public URI address() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Stops serving: the listening socket closes and requests in flight (blocked ones too) are cut. State is kept. */
    public void stop() {
        synchronized (lock) {
            if (!running) {
                return;
            }
            running = false;
            lock.notifyAll();
        }
        server.stop(0);
        executor.shutdownNow();
    }

    /** Serves again on the same port with the same state, like an agent that restarted with its data. */
    public void restart() throws IOException {
        stop();
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                start(port);
                return;
            } catch (BindException e) {
                last = e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(ie);
                }
            }
        }
        throw last;
    }

    /** The current index (what {@code X-Consul-Index} says now). */
    long index() {
        synchronized (lock) {
            return index;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void start(int requestedPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 64);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "consul-fixture");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        server = s;
        synchronized (lock) {
            running = true;
        }
        s.start();
        port = s.getAddress().getPort();
    }

    // ---------------------------------------------------------------------------------- dispatch

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
            String method = exchange.getRequestMethod();
            if (requiredToken != null && !requiredToken.equals(token(exchange, query))) {
                send(exchange, 403, "text/plain", "ACL not found", false);
                return;
            }
            if (path.startsWith("/v1/health/service/") && method.equals("GET")) {
                healthService(exchange, decode(path.substring("/v1/health/service/".length())), query);
            } else if (path.equals("/v1/catalog/register") && method.equals("PUT")) {
                catalogRegister(exchange);
            } else if (path.equals("/v1/agent/service/register") && method.equals("PUT")) {
                register(exchange);
            } else if (path.startsWith("/v1/agent/service/deregister/") && method.equals("PUT")) {
                deregister(exchange, decode(path.substring("/v1/agent/service/deregister/".length())));
            } else if (path.startsWith("/v1/agent/service/maintenance/") && method.equals("PUT")) {
                maintenance(exchange, decode(path.substring("/v1/agent/service/maintenance/".length())), query);
            } else if (path.matches("/v1/agent/check/(pass|warn|fail)/.+") && method.equals("PUT")) {
                String[] parts = path.split("/", 6);
                updateCheck(exchange, parts[4], decode(parts[5]), first(query, "note"));
            } else if (path.startsWith("/v1/kv/") && method.equals("GET")) {
                kvGet(exchange, decode(path.substring("/v1/kv/".length())), query);
            } else if (path.startsWith("/v1/kv/") && method.equals("PUT")) {
                kvPut(exchange, decode(path.substring("/v1/kv/".length())), query);
            } else {
                send(exchange, 404, "text/plain", "Invalid URL path: not a recognized HTTP API endpoint", false);
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                throw e;
            }
            // stopped mid-request: the connection is gone, which is the point
        }
    }

    // ---------------------------------------------------------------------------------- health

    private void healthService(HttpExchange exchange, String name, Map<String, List<String>> query)
            throws IOException {
        String dc = first(query, "dc");
        if (dc != null && !dc.equals(DATACENTER)) {
            send(exchange, 500, "text/plain", "No path to datacenter", false);
            return;
        }
        boolean passing = query.containsKey("passing") && !"false".equals(first(query, "passing"));
        List<String> tags = query.getOrDefault("tag", List.of());
        ArrayNode out;
        long at;
        synchronized (lock) {
            if (!awaitChange(query)) {
                return;
            }
            at = index;
            out = JSON.createArrayNode();
            for (ObjectNode svc : services.values()) {
                if (!svc.get("Service").asText().equals(name) || !hasTags(svc, tags)) {
                    continue;
                }
                String id = svc.get("ID").asText();
                ObjectNode external = externalNodes.get(id);
                ArrayNode entryChecks = entryChecks(id, external == null);
                if (passing && !allPassing(entryChecks)) {
                    continue;
                }
                ObjectNode entry = out.addObject();
                entry.set("Node", external == null ? node() : external.deepCopy());
                entry.set("Service", svc.deepCopy());
                entry.set("Checks", entryChecks);
            }
        }
        exchange.getResponseHeaders().set("X-Consul-Index", Long.toString(at));
        exchange.getResponseHeaders().set("X-Consul-KnownLeader", "true");
        exchange.getResponseHeaders().set("X-Consul-LastContact", "0");
        send(exchange, 200, "application/json", JSON.writeValueAsString(out), false);
    }

    /**
     * The blocking-query rule: with an index > 0 that is not older than the current one, wait for a
     * change or for {@code wait} to expire. Holds {@code lock}. False when the fixture stopped meanwhile.
     */
    private boolean awaitChange(Map<String, List<String>> query) {
        long requested = parseLong(first(query, "index"), 0);
        if (requested <= 0 || index > requested) {
            return running;
        }
        long waitMillis = Math.min(MAX_WAIT_MILLIS, parseDuration(first(query, "wait")));
        long deadline = System.currentTimeMillis() + waitMillis;
        while (running && index <= requested) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            try {
                lock.wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return running;
    }

    private ObjectNode node() {
        ObjectNode node = JSON.createObjectNode();
        node.put("ID", "00000000-0000-0000-0000-000000000001");
        node.put("Node", NODE);
        node.put("Address", NODE_ADDRESS);
        node.put("Datacenter", DATACENTER);
        // What an agent's own node carries in Consul 1.7+ (the agent syncs all four).
        node.set("TaggedAddresses", JSON.createObjectNode().put("lan", NODE_ADDRESS).put("lan_ipv4", NODE_ADDRESS)
                .put("wan", NODE_ADDRESS).put("wan_ipv4", NODE_ADDRESS));
        node.set("Meta", JSON.createObjectNode().put("consul-network-segment", ""));
        node.put("CreateIndex", 1);
        node.put("ModifyIndex", 1);
        return node;
    }

    /**
     * The node's serfHealth (always passing here; an external node has none, no agent runs there) and the
     * service's own checks, as Consul lists them.
     */
    private ArrayNode entryChecks(String serviceId, boolean agentNode) {
        ArrayNode out = JSON.createArrayNode();
        if (agentNode) {
            out.add(check(NODE, "serfHealth", "Serf Health Status", "passing", "", "", List.of()));
        }
        for (ObjectNode c : checks.values()) {
            if (c.get("ServiceID").asText().equals(serviceId)) {
                out.add(c.deepCopy());
            }
        }
        return out;
    }

    private static ObjectNode check(String node, String id, String name, String status, String serviceId,
                                    String serviceName, List<String> serviceTags) {
        ObjectNode c = JSON.createObjectNode();
        c.put("Node", node);
        c.put("CheckID", id);
        c.put("Name", name);
        c.put("Status", status);
        c.put("Notes", "");
        c.put("Output", "");
        c.put("ServiceID", serviceId);
        c.put("ServiceName", serviceName);
        ArrayNode tags = c.putArray("ServiceTags");
        serviceTags.forEach(tags::add);
        c.put("Type", serviceId.isEmpty() ? "serf" : "ttl");
        return c;
    }

    private static boolean allPassing(ArrayNode entryChecks) {
        for (JsonNode c : entryChecks) {
            if (!"passing".equals(c.get("Status").asText())) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasTags(ObjectNode svc, List<String> wanted) {
        List<String> have = new ArrayList<>();
        svc.path("Tags").forEach(t -> have.add(t.asText()));
        return have.containsAll(wanted);
    }

    // ---------------------------------------------------------------------------------- catalog

    /**
     * {@code PUT /v1/catalog/register} of a service on an external node (api-docs/catalog): the node is
     * kept as given, so {@code TaggedAddresses} carries only what was sent (often only {@code lan}, or
     * nothing: then null), {@code Meta} and the service's {@code Tags}/{@code Meta} are null when not sent,
     * and no serfHealth check exists. Checks given with the registration are listed as sent.
     */
    private void catalogRegister(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        String nodeName = text(body, "Node", null);
        String address = text(body, "Address", null);
        JsonNode service = body.path("Service");
        if (nodeName == null || address == null) {
            send(exchange, 400, "text/plain", "Must provide node and address", false);
            return;
        }
        String name = text(service, "Service", null);
        if (name == null) {
            send(exchange, 400, "text/plain", "Must provide service name with ID", false);
            return;
        }
        String id = text(service, "ID", name);
        ObjectNode node = JSON.createObjectNode();
        node.put("ID", text(body, "ID", ""));
        node.put("Node", nodeName);
        node.put("Address", address);
        node.put("Datacenter", DATACENTER);
        node.set("TaggedAddresses", body.has("TaggedAddresses") ? body.get("TaggedAddresses").deepCopy() : null);
        node.set("Meta", body.has("NodeMeta") ? body.get("NodeMeta").deepCopy() : null);
        ObjectNode svc = JSON.createObjectNode();
        svc.put("ID", id);
        svc.put("Service", name);
        svc.set("Tags", service.has("Tags") ? service.get("Tags").deepCopy() : null);
        svc.put("Address", text(service, "Address", ""));
        svc.set("Meta", service.has("Meta") ? service.get("Meta").deepCopy() : null);
        svc.put("Port", service.path("Port").asInt(0));
        ObjectNode weights = svc.putObject("Weights");
        weights.put("Passing", service.path("Weights").path("Passing").asInt(1));
        weights.put("Warning", service.path("Weights").path("Warning").asInt(1));
        svc.put("EnableTagOverride", false);
        synchronized (lock) {
            node.put("CreateIndex", index + 1);
            node.put("ModifyIndex", index + 1);
            externalNodes.put(id, node);
            services.put(id, svc);
            checks.values().removeIf(c -> c.get("ServiceID").asText().equals(id));
            JsonNode check = body.path("Check");
            if (check.isObject()) {
                String checkId = text(check, "CheckID", "service:" + id);
                checks.put(checkId, check(nodeName, checkId, text(check, "Name", checkId),
                        text(check, "Status", "critical"), id, name, List.of()));
            }
            changed();
        }
        send(exchange, 200, "application/json", "true", false);
    }

    // ---------------------------------------------------------------------------------- agent

    private void register(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        String name = text(body, "Name", null);
        if (name == null || name.isEmpty()) {
            send(exchange, 400, "text/plain", "Missing service name", false);
            return;
        }
        String id = text(body, "ID", name);
        ObjectNode svc = JSON.createObjectNode();
        svc.put("ID", id);
        svc.put("Service", name);
        ArrayNode tags = svc.putArray("Tags");
        List<String> tagList = new ArrayList<>();
        if (body.has("Tags")) {
            body.get("Tags").forEach(t -> {
                tags.add(t.asText());
                tagList.add(t.asText());
            });
        }
        svc.put("Address", text(body, "Address", ""));
        svc.set("Meta", body.has("Meta") ? body.get("Meta").deepCopy() : JSON.createObjectNode());
        svc.put("Port", body.path("Port").asInt(0));
        // Documented default when Weights is not given: {"Passing": 1, "Warning": 1}.
        ObjectNode weights = svc.putObject("Weights");
        weights.put("Passing", body.path("Weights").path("Passing").asInt(1));
        weights.put("Warning", body.path("Weights").path("Warning").asInt(1));
        svc.put("EnableTagOverride", false);
        List<JsonNode> checkDefs = new ArrayList<>();
        if (body.has("Check") && !body.get("Check").isNull()) {
            checkDefs.add(body.get("Check"));
        }
        if (body.has("Checks")) {
            body.get("Checks").forEach(checkDefs::add);
        }
        synchronized (lock) {
            checks.values().removeIf(c -> c.get("ServiceID").asText().equals(id)
                    && !c.get("CheckID").asText().startsWith("_service_maintenance:"));
            for (int i = 0; i < checkDefs.size(); i++) {
                JsonNode def = checkDefs.get(i);
                String checkId = text(def, "CheckID", text(def, "ID",
                        checkDefs.size() == 1 ? "service:" + id : "service:" + id + ":" + (i + 1)));
                String checkName = text(def, "Name", "Service '" + name + "' check");
                // Documented: a new check starts critical unless Status says otherwise.
                String status = text(def, "Status", "critical");
                checks.put(checkId, check(NODE, checkId, checkName, status, id, name, tagList));
            }
            services.put(id, svc);
            changed();
        }
        send(exchange, 200, "text/plain", "", false);
    }

    private void deregister(HttpExchange exchange, String id) throws IOException {
        synchronized (lock) {
            externalNodes.remove(id);
            if (services.remove(id) == null) {
                send(exchange, 404, "text/plain", "Unknown service ID \"" + id + "\"", false);
                return;
            }
            checks.values().removeIf(c -> c.get("ServiceID").asText().equals(id));
            changed();
        }
        send(exchange, 200, "text/plain", "", false);
    }

    private void maintenance(HttpExchange exchange, String id, Map<String, List<String>> query) throws IOException {
        String enable = first(query, "enable");
        if (enable == null) {
            send(exchange, 400, "text/plain", "Missing value for enable", false);
            return;
        }
        String checkId = "_service_maintenance:" + id;
        synchronized (lock) {
            ObjectNode svc = services.get(id);
            if (svc == null) {
                send(exchange, 404, "text/plain", "Unknown service ID \"" + id + "\"", false);
                return;
            }
            if (Boolean.parseBoolean(enable)) {
                String reason = first(query, "reason");
                ObjectNode c = check(NODE, checkId, "Service Maintenance Mode", "critical", id,
                        svc.get("Service").asText(), List.of());
                c.put("Notes", reason == null || reason.isEmpty()
                        ? "Maintenance mode is enabled for this service, but no reason was provided. This is a"
                                + " default message."
                        : reason);
                checks.put(checkId, c);
            } else {
                checks.remove(checkId);
            }
            changed();
        }
        send(exchange, 200, "text/plain", "", false);
    }

    private void updateCheck(HttpExchange exchange, String verb, String checkId, String note) throws IOException {
        String status = switch (verb) {
            case "pass" -> "passing";
            case "warn" -> "warning";
            default -> "critical";
        };
        synchronized (lock) {
            ObjectNode c = checks.get(checkId);
            if (c == null) {
                send(exchange, 404, "text/plain", "Unknown check ID \"" + checkId + "\"", false);
                return;
            }
            boolean differs = !c.get("Status").asText().equals(status)
                    || !c.get("Output").asText().equals(note == null ? "" : note);
            c.put("Status", status);
            c.put("Output", note == null ? "" : note);
            if (differs) {
                changed();
            }
        }
        send(exchange, 200, "text/plain", "", false);
    }

    // ---------------------------------------------------------------------------------- kv

    private void kvGet(HttpExchange exchange, String key, Map<String, List<String>> query) throws IOException {
        KvEntry entry;
        long at;
        synchronized (lock) {
            if (!awaitChange(query)) {
                return;
            }
            at = index;
            entry = kv.get(key);
        }
        exchange.getResponseHeaders().set("X-Consul-Index", Long.toString(at));
        if (entry == null) {
            send(exchange, 404, "text/plain", "", true);
            return;
        }
        if (query.containsKey("raw")) {
            exchange.sendResponseHeaders(200, entry.value().length == 0 ? -1 : entry.value().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(entry.value());
            }
            return;
        }
        ArrayNode out = JSON.createArrayNode();
        ObjectNode e = out.addObject();
        e.put("LockIndex", 0);
        e.put("Key", key);
        e.put("Flags", entry.flags());
        if (entry.value().length == 0) {
            e.putNull("Value");
        } else {
            e.put("Value", Base64.getEncoder().encodeToString(entry.value()));
        }
        e.put("CreateIndex", entry.createIndex());
        e.put("ModifyIndex", entry.modifyIndex());
        send(exchange, 200, "application/json", JSON.writeValueAsString(out), false);
    }

    private void kvPut(HttpExchange exchange, String key, Map<String, List<String>> query) throws IOException {
        byte[] value = exchange.getRequestBody().readAllBytes();
        String cas = first(query, "cas");
        long flags = parseLong(first(query, "flags"), 0);
        boolean ok;
        synchronized (lock) {
            KvEntry current = kv.get(key);
            if (cas != null) {
                long expected = parseLong(cas, -1);
                // Documented: cas=0 only creates; otherwise the ModifyIndex must match.
                ok = expected == 0 ? current == null : current != null && current.modifyIndex() == expected;
            } else {
                ok = true;
            }
            if (ok) {
                long next = index + 1;
                kv.put(key, new KvEntry(value, current == null ? next : current.createIndex(), next, flags));
                changed();
            }
        }
        send(exchange, 200, "application/json", Boolean.toString(ok), false);
    }

    // ---------------------------------------------------------------------------------- helpers

    /** Holds lock: the index only ever moves forward, and every waiter re-checks. */
    private void changed() {
        index++;
        lock.notifyAll();
    }

    private static String token(HttpExchange exchange, Map<String, List<String>> query) {
        String header = exchange.getRequestHeaders().getFirst("X-Consul-Token");
        if (header != null) {
            return header;
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) {
            return auth.substring("Bearer ".length());
        }
        return first(query, "token");
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body, boolean emptyOk)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String first(Map<String, List<String>> query, String key) {
        List<String> values = query.get(key);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    private static long parseLong(String s, long fallback) {
        if (s == null || s.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Consul's wait: a number with a unit suffix (ms, s, m, h), default 5 minutes. */
    static long parseDuration(String s) {
        if (s == null || s.isEmpty()) {
            return TimeUnit.MINUTES.toMillis(5);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(s);
        if (!m.matches()) {
            return TimeUnit.MINUTES.toMillis(5);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> n;
            case "m" -> TimeUnit.MINUTES.toMillis(n);
            case "h" -> TimeUnit.HOURS.toMillis(n);
            default -> TimeUnit.SECONDS.toMillis(n);
        };
    }
}
