package io.sluice.registry.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one way Sluice speaks to Consul's documented HTTP API (developer.hashicorp.com/consul/api-docs),
 * for discovery ({@link #healthService}), the override store ({@code kv*}) and the agent
 * ({@code register}, {@code updateTtlCheck}, {@code maintenance}, {@code deregister}).
 *
 * <p>Plain {@code java.net.http} with Jackson trees: kiwiproject consul-client binds whole answers to
 * strict immutable types and throws for all of a health answer when one node's {@code TaggedAddresses}
 * lacks {@code wan}, which real Consul sends for nodes registered through {@code /v1/catalog/register}
 * (see docs/discovery.md, "Registry clients"). Here every entry is read on its own ({@link HealthEntry}).
 *
 * <p>Every request carries the ACL token ({@code X-Consul-Token}) and the datacenter ({@code ?dc=})
 * when configured; each is bounded by the request timeout, a blocking query by its wait plus Consul's
 * documented jitter (wait/16) plus that timeout. Calls block: use them from a registry thread, never
 * an event loop. Interrupting the calling thread cancels the call (InterruptedException). Thread-safe.
 */
public final class ConsulClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A status and body, for the agent endpoints whose failures the caller tells apart (404: unknown check). */
    public record Response(int status, String body) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    private final URI base;
    private final String token;
    private final String datacenter;
    private final Duration timeout;
    private final HttpClient http;

    private ConsulClient(URI base, String token, String datacenter, Duration timeout) {
        this.base = base;
        this.token = token == null || token.isEmpty() ? null : token;
        this.datacenter = datacenter == null || datacenter.isEmpty() ? null : datacenter;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * @param address          the agent's HTTP address, e.g. {@code http://127.0.0.1:8500}
     * @param tokenOrNull      sent as {@code X-Consul-Token} when given
     * @param datacenterOrNull sent as {@code ?dc=} on catalog, health and KV calls when given
     * @param timeout          connect timeout and bound of every non-blocking request
     * @throws IllegalArgumentException when the address is not an http(s) URL
     */
    public static ConsulClient create(URI address, String tokenOrNull, String datacenterOrNull, Duration timeout) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(timeout, "timeout");
        if ((!"http".equalsIgnoreCase(address.getScheme()) && !"https".equalsIgnoreCase(address.getScheme()))
                || address.getHost() == null) {
            throw new IllegalArgumentException("Consul address " + address + " is not an http(s) URL");
        }
        String s = address.toString();
        URI base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        return new ConsulClient(base, tokenOrNull, datacenterOrNull, timeout);
    }

    public URI address() {
        return base;
    }

    // ---- health: discovery ----

    /**
     * {@code GET /v1/health/service/<service>}, blocking when {@code index > 0}.
     *
     * @param tags        every tag an instance must carry (repeatable {@code ?tag=}); may be empty
     * @param passingOnly {@code ?passing}: only instances whose every check passes
     * @throws IOException when Consul is unreachable, refuses, or answers something other than a JSON array
     */
    public Indexed<HealthResponse> healthService(String service, List<String> tags, boolean passingOnly, long index,
                                                Duration wait) throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder();
        for (String tag : tags) {
            param(q, "tag", tag);
        }
        if (passingOnly) {
            param(q, "passing", "true");
        }
        HttpResponse<byte[]> r = send(blockingGet("/v1/health/service/" + enc(service), q, index, wait));
        check(r, "list the instances of service " + service);
        return new Indexed<>(index(r), HealthResponse.parse(readTree(r, "health of " + service)));
    }

    // ---- KV: the override store ----

    /** {@code GET /v1/kv/<prefix>/?recurse}, blocking when {@code index > 0}; an absent folder is an empty list. */
    public Indexed<List<KvEntry>> kvList(String prefix, long index, Duration wait)
            throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder("recurse=true");
        HttpResponse<byte[]> r = send(blockingGet("/v1/kv/" + encodePath(prefix) + "/", q, index, wait));
        List<KvEntry> out = new ArrayList<>();
        if (r.statusCode() == 404) {
            return new Indexed<>(index(r), out);
        }
        check(r, "list " + prefix + "/");
        long at = index(r);
        for (JsonNode e : readTree(r, "KV " + prefix + "/")) {
            out.add(KvEntry.of(e));
        }
        return new Indexed<>(at, out);
    }

    /** {@code GET /v1/kv/<key>}: the entry, or empty when the key does not exist. */
    public Optional<KvEntry> kvGet(String key) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = send(get("/v1/kv/" + encodePath(key), new StringBuilder(), true).GET().build());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        check(r, "read " + key);
        KvEntry e = KvEntry.of(readTree(r, "KV " + key).path(0));
        if (e.modifyIndex() <= 0) {
            throw new IOException("no ModifyIndex in Consul's answer for " + key);
        }
        return Optional.of(e);
    }

    /**
     * {@code PUT /v1/kv/<key>?cas=<modifyIndex>}: true when written, false when another writer changed the
     * key since {@code cas} (0: create only).
     */
    public boolean kvPut(String key, byte[] value, long cas) throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder();
        param(q, "cas", Long.toString(cas));
        return casAnswer(send(get("/v1/kv/" + encodePath(key), q, true)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build()), "write " + key);
    }

    /** {@code DELETE /v1/kv/<key>?cas=<modifyIndex>}: true when deleted (or already gone), false when changed since. */
    public boolean kvDelete(String key, long cas) throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder();
        param(q, "cas", Long.toString(cas));
        return casAnswer(send(get("/v1/kv/" + encodePath(key), q, true).DELETE().build()), "delete " + key);
    }

    // ---- agent: registration ----

    /** {@code PUT /v1/agent/service/register} with the service definition as JSON. */
    public Response register(JsonNode definition) throws IOException, InterruptedException {
        return agentPut("/v1/agent/service/register", new StringBuilder(), JSON.writeValueAsString(definition));
    }

    /** {@code PUT /v1/agent/check/pass|fail/<checkId>?note=} for a TTL check; 404 when Consul lost the check. */
    public Response updateTtlCheck(String checkId, boolean passing, String note)
            throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder();
        param(q, "note", note);
        return agentPut("/v1/agent/check/" + (passing ? "pass" : "fail") + "/" + enc(checkId), q, null);
    }

    /** {@code PUT /v1/agent/service/maintenance/<id>?enable=&reason=}. */
    public Response maintenance(String serviceId, boolean enable, String reasonOrNull)
            throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder();
        param(q, "enable", Boolean.toString(enable));
        if (enable && reasonOrNull != null) {
            param(q, "reason", reasonOrNull);
        }
        return agentPut("/v1/agent/service/maintenance/" + enc(serviceId), q, null);
    }

    /** {@code PUT /v1/agent/service/deregister/<id>}. */
    public Response deregister(String serviceId) throws IOException, InterruptedException {
        return agentPut("/v1/agent/service/deregister/" + enc(serviceId), new StringBuilder(), null);
    }

    private Response agentPut(String path, StringBuilder q, String jsonOrNull) throws IOException, InterruptedException {
        HttpRequest.Builder b = get(path, q, false).PUT(jsonOrNull == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(jsonOrNull, StandardCharsets.UTF_8));
        if (jsonOrNull != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<byte[]> r = send(b.build());
        return new Response(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8).trim());
    }

    // ---- transport ----

    /** A request builder for {@code path?query} with the token and (for datacenter-scoped endpoints) the dc. */
    private HttpRequest.Builder get(String path, StringBuilder q, boolean datacenterScoped) {
        if (datacenterScoped && datacenter != null) {
            param(q, "dc", datacenter);
        }
        URI uri = URI.create(base + path + (q.length() == 0 ? "" : "?" + q));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
        if (token != null) {
            b.header("X-Consul-Token", token);
        }
        return b;
    }

    /** A GET, blocking (features/blocking) when {@code index > 0}, its timeout stretched to cover the wait. */
    private HttpRequest blockingGet(String path, StringBuilder q, long index, Duration wait) {
        if (index > 0) {
            param(q, "index", Long.toString(index));
            param(q, "wait", wait.toMillis() + "ms");
        }
        HttpRequest.Builder b = get(path, q, true).GET();
        if (index > 0) {
            // Consul adds up to wait/16 of jitter to a blocking query.
            b.timeout(wait.plus(wait.dividedBy(16)).plus(timeout));
        }
        return b.build();
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** {@code X-Consul-Index}, which every blocking endpoint sets (also on a KV 404); without it no watch can block. */
    private static long index(HttpResponse<byte[]> r) throws IOException {
        OptionalLong at = r.headers().firstValueAsLong("X-Consul-Index");
        if (at.isEmpty()) {
            throw new IOException("no X-Consul-Index in Consul's answer to " + r.request().uri().getPath());
        }
        return at.orElse(0);
    }

    private static JsonNode readTree(HttpResponse<byte[]> r, String what) throws IOException {
        JsonNode tree;
        try {
            tree = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IOException("Consul's answer for " + what + " is not JSON: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isArray()) {
            throw new IOException("Consul's answer for " + what + " is not a JSON array");
        }
        return tree;
    }

    private static void check(HttpResponse<byte[]> r, String what) throws IOException {
        if (r.statusCode() / 100 != 2) {
            String body = new String(r.body(), StandardCharsets.UTF_8).trim();
            throw new IOException("Consul refused to " + what + ": HTTP " + r.statusCode()
                    + (body.isEmpty() ? "" : " " + (body.length() > 200 ? body.substring(0, 200) : body)));
        }
    }

    private static boolean casAnswer(HttpResponse<byte[]> r, String what) throws IOException {
        check(r, what);
        return "true".equals(new String(r.body(), StandardCharsets.UTF_8).trim());
    }

    private static void param(StringBuilder q, String name, String value) {
        q.append(q.length() == 0 ? "" : "&").append(name).append('=').append(enc(value));
    }

    /** Each segment encoded; '/' kept as the separator (Consul decodes {@code %2F} into one anyway). */
    static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/", -1)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(enc(segment));
        }
        return out.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
