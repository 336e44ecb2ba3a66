package io.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import io.sluice.adminapi.ProblemType;
import io.sluice.adminapi.ReloadResult;
import io.sluice.duration.Durations;
import io.sluice.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API over real HTTP on loopback, against {@link FakeOperations}. */
class AdminServerTest {

    private static final String TOKEN = "s3cret-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EventLoopGroup group;
    private static Transport transport;
    private static HttpClient http;

    private FakeOperations ops;
    private AdminServer server;

    @BeforeAll
    static void startLoops() {
        transport = Transport.detect();
        group = transport.newEventLoopGroup(1, "admin-test-io");
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void start() throws Exception {
        ops = new FakeOperations();
        // The token file's content may end with a newline; the server strips it.
        server = AdminServer.start(loopback(), ops, TOKEN + "\n", transport, group);
    }

    @AfterEach
    void stop() {
        server.close();
        server.close(); // safe twice
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    // ----- helpers ------------------------------------------------------------------------------

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.localAddress().getPort() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return post(path, body, TOKEN);
    }

    private static JsonNode json(HttpResponse<String> res) throws IOException {
        return JSON.readTree(res.body());
    }

    private static String contentType(HttpResponse<?> res) {
        return res.headers().firstValue("content-type").orElse(null);
    }

    /** Asserts an RFC 9457 document of {@code slug} with every standard member, and returns it. */
    private static JsonNode problem(HttpResponse<String> res, int status, String slug, String instance) throws IOException {
        assertEquals(status, res.statusCode(), res.body());
        assertEquals("application/problem+json", contentType(res));
        JsonNode p = json(res);
        assertEquals("https://sluice.dev/problems/" + slug, p.path("type").asText());
        assertFalse(p.path("title").asText().isEmpty(), res.body());
        assertEquals(status, p.path("status").asInt());
        assertFalse(p.path("detail").asText().isEmpty(), res.body());
        assertEquals(instance, p.path("instance").asText());
        return p;
    }

    private static final String APP1 = "/api/v1/pools/chat/backends/app-1";

    // ----- probes, metrics, page ----------------------------------------------------------------

    @Test
    void healthz() throws Exception {
        HttpResponse<String> res = get("/healthz");
        assertEquals(200, res.statusCode());
        assertEquals("application/json", contentType(res));
        assertEquals("ok", json(res).path("status").asText());
    }

    @Test
    void readyzWhenReady() throws Exception {
        HttpResponse<String> res = get("/readyz");
        assertEquals(200, res.statusCode());
        JsonNode body = json(res);
        assertTrue(body.path("ready").asBoolean());
        assertTrue(body.path("details").path("listeners_bound").asBoolean());
    }

    @Test
    void readyzIs503WithTheReadinessBodyWhenNotReady() throws Exception {
        ops.ready = false;
        JsonNode p = problem(get("/readyz"), 503, "unavailable", "/readyz");
        assertFalse(p.path("ready").asBoolean(true));
        assertFalse(p.path("details").path("pools_ready").asBoolean(true));
        assertTrue(p.path("detail").asText().contains("pools_ready"), p.toString());
    }

    @Test
    void metricsUsePrometheusTextFormat() throws Exception {
        HttpResponse<String> res = get("/metrics");
        assertEquals(200, res.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", contentType(res));
        assertTrue(res.body().contains("sluice_connections_active 3"));
    }

    @Test
    void statusPageIsSelfContainedHtmlThatRefreshes() throws Exception {
        HttpResponse<String> res = get("/");
        assertEquals(200, res.statusCode());
        assertEquals("text/html; charset=utf-8", contentType(res));
        String page = res.body();
        assertTrue(page.startsWith("<!doctype html>"));
        assertTrue(page.contains("setTimeout(refresh, REFRESH_MS)"), "auto-refresh script");
        assertTrue(page.contains("/api/v1/pools") && page.contains("/api/v1/status"));
        assertTrue(page.contains("drain-btn") && page.contains("'Authorization': 'Bearer '"));
        assertTrue(page.contains("id=\"message\""));
        assertFalse(page.contains("src=\"http"), "no external scripts");
        assertTrue(res.headers().firstValue("content-security-policy").orElse("").contains("frame-ancestors 'none'"));
    }

    @Test
    void headAnswersHeadersWithoutBody() throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri("/healthz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode());
        assertEquals("", res.body());
        assertEquals("15", res.headers().firstValue("content-length").orElse(null));
    }

    // ----- reads --------------------------------------------------------------------------------

    @Test
    void statusUsesSnakeCase() throws Exception {
        HttpResponse<String> res = get("/api/v1/status");
        assertEquals(200, res.statusCode());
        JsonNode s = json(res);
        assertEquals("0.1.0-test", s.path("version").asText());
        assertEquals(3725, s.path("uptime_seconds").asLong());
        assertEquals("/etc/sluice/sluice.yaml", s.path("config_file").asText());
        assertEquals(3, s.path("active_connections").asInt());
        assertEquals("chat", s.path("listeners").get(0).path("pools").get(0).asText());
    }

    @Test
    void poolsAndOnePool() throws Exception {
        JsonNode pools = json(get("/api/v1/pools"));
        JsonNode chat = pools.path("pools").get(0);
        assertEquals("chat", chat.path("name").asText());
        assertEquals("source-ip", chat.path("sticky_key").asText());
        assertEquals(12, chat.path("stick_table_size").asInt());
        JsonNode b = chat.path("backends").get(0);
        for (String field : List.of("name", "address", "health", "admin", "weight", "configured_weight", "effective_weight",
                "eligible", "active_connections", "total_connections", "bytes_up", "bytes_down", "last_check",
                "last_check_result", "drain_deadline", "since", "cause", "maglev_slots")) {
            assertTrue(b.has(field), "backend field " + field + " in " + b);
        }
        assertTrue(b.path("maglev_slots").isNull(), "nulls are written");

        HttpResponse<String> one = get("/api/v1/pools/chat");
        assertEquals(200, one.statusCode());
        assertEquals(2, json(one).path("backends").size());
    }

    @Test
    void unknownPoolIs404WithTheDaemonsDetail() throws Exception {
        JsonNode p = problem(get("/api/v1/pools/nope"), 404, "not-found", "/api/v1/pools/nope");
        assertEquals("no pool 'nope' (pools: chat)", p.path("detail").asText());
        assertEquals("Not Found", p.path("title").asText());
    }

    @Test
    void unknownPathIs404() throws Exception {
        problem(get("/api/v1/nothing"), 404, "not-found", "/api/v1/nothing");
        problem(get("/api/v2/status?x=1"), 404, "not-found", "/api/v2/status");
        problem(get("/api/v1/pools/chat/backends/app-1/explode"), 404, "not-found", APP1 + "/explode");
        problem(post("/api/v1/pools/chat/backends/app-1/explode", null), 404, "not-found", APP1 + "/explode");
    }

    @Test
    void connectionsWithFiltersLimitAndTotal() throws Exception {
        JsonNode all = json(get("/api/v1/connections"));
        assertEquals(3, all.path("connections").size());
        assertEquals(3, all.path("total").asLong());
        assertTrue(ops.calls.contains("connections null null 100"), ops.calls.toString());

        JsonNode some = json(get("/api/v1/connections?pool=chat&backend=app-1&limit=1"));
        assertEquals(1, some.path("connections").size());
        assertEquals(2, some.path("total").asLong(), "total counts beyond the limit");
        assertEquals("10.0.0.7:50123", some.path("connections").get(0).path("client").asText());
        assertEquals(20, some.path("connections").get(0).path("bytes_down").asLong());
        assertTrue(ops.calls.contains("connections chat app-1 1"), ops.calls.toString());

        JsonNode byBackend = json(get("/api/v1/connections?backend=app-2&pool="));
        assertEquals(1, byBackend.path("total").asLong());
    }

    @Test
    void connectionsRefuseBadLimitAndUnknownNames() throws Exception {
        JsonNode p = problem(get("/api/v1/connections?limit=lots"), 400, "bad-request", "/api/v1/connections");
        assertTrue(p.path("detail").asText().contains("0..10000"), p.toString());
        problem(get("/api/v1/connections?limit=10001"), 400, "bad-request", "/api/v1/connections");
        problem(get("/api/v1/connections?pool=nope"), 404, "not-found", "/api/v1/connections");
        problem(get("/api/v1/connections?pool=chat&backend=app-9"), 404, "not-found", "/api/v1/connections");
    }

    @Test
    void stickTableShowAndClear() throws Exception {
        HttpResponse<String> show = get("/api/v1/pools/chat/stick-table?limit=1");
        assertEquals(200, show.statusCode(), show.body());
        JsonNode t = json(show);
        assertEquals(1, t.path("entries").size());
        assertEquals("10.0.0.7", t.path("entries").get(0).path("key").asText());
        assertEquals(false, t.path("routes").asBoolean());
        assertTrue(ops.calls.contains("stick-table chat 1"), ops.calls.toString());
        assertEquals(404, get("/api/v1/pools/nope/stick-table").statusCode());
        assertEquals(400, get("/api/v1/pools/chat/stick-table?limit=x").statusCode());
        assertEquals(405, get("/api/v1/pools/chat/stick-table/clear").statusCode());
    }

    @Test
    void explainPassesParameters() throws Exception {
        HttpResponse<String> res = get("/api/v1/explain?client=203.0.113.7&sni=chat.example.com&alpn=h2,%20http/1.1");
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(ops.calls.contains("explain null chat.example.com [h2, http/1.1] 203.0.113.7"), ops.calls.toString());
        JsonNode e = json(res);
        assertEquals("maglev", e.path("decided_by").asText());
        assertEquals("app-1", e.path("stick_entry").path("backend").asText());
        assertEquals(false, e.path("stick_entry").path("routes").asBoolean());
        assertTrue(e.path("stick_entry").path("why").asText().contains("the Maglev table decides"), e.toString());
        assertEquals("not-chosen", e.path("skipped").get(0).path("reason").asText());

        assertEquals(200, get("/api/v1/explain?client=%5B2001:db8::1%5D&listener=chat-tls").statusCode());
        assertTrue(ops.calls.contains("explain chat-tls null [] 2001:db8:0:0:0:0:0:1"), ops.calls.toString());
    }

    @Test
    void explainRefusesMissingOrNonLiteralClient() throws Exception {
        JsonNode p = problem(get("/api/v1/explain?sni=a.example"), 400, "bad-request", "/api/v1/explain");
        assertTrue(p.path("detail").asText().contains("'client'"));
        problem(get("/api/v1/explain?client=example.com"), 400, "bad-request", "/api/v1/explain");
        problem(get("/api/v1/explain?client=10.0.0.1&listener=nope"), 404, "not-found", "/api/v1/explain");
    }

    @Test
    void directEndpointsAre404WithoutDirectListenersAndCheckTheirParameters() throws Exception {
        JsonNode p = problem(get("/api/v1/direct"), 404, "not-found", "/api/v1/direct");
        assertTrue(p.path("detail").asText().contains("no direct listeners"), p.toString());
        problem(get("/api/v1/direct/explain?client=198.51.100.2&client_port=40000"), 404, "not-found",
                "/api/v1/direct/explain");
        JsonNode port = problem(get("/api/v1/direct/explain?client=198.51.100.2&client_port=70000"), 400, "bad-request",
                "/api/v1/direct/explain");
        assertTrue(port.path("detail").asText().contains("bad 'client_port': '70000' (expected a port, 1..65535)"), port.toString());
        problem(get("/api/v1/direct/explain?client=198.51.100.2&port=x"), 400, "bad-request", "/api/v1/direct/explain");
        problem(get("/api/v1/direct/explain?client_port=1"), 400, "bad-request", "/api/v1/direct/explain");
        assertEquals(405, post("/api/v1/direct", null).statusCode());
    }

    // ----- mutations ----------------------------------------------------------------------------

    @Test
    void drainWithoutAndWithBody() throws Exception {
        HttpResponse<String> res = post(APP1 + "/drain", null);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("drain", json(res).path("admin").asText());
        assertEquals(0, json(res).path("effective_weight").asInt());
        assertEquals(List.of("drain chat/app-1 null null"), ops.calls.stream().filter(c -> c.startsWith("drain")).toList());

        res = post(APP1 + "/drain", "{\"deadline\": \"10m\", \"close_rate\": 100}");
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(ops.calls.contains("drain chat/app-1 PT10M 100.0"), ops.calls.toString());

        assertEquals(200, post(APP1 + "/drain", "{\"deadline\": \"500ms\"}").statusCode());
        assertTrue(ops.calls.contains("drain chat/app-1 PT0.5S null"), ops.calls.toString());
    }

    @Test
    void drainWithBadDurationIs400SayingTheForms() throws Exception {
        JsonNode p = problem(post(APP1 + "/drain", "{\"deadline\": \"10 minutes\"}"), 400, "bad-request", APP1 + "/drain");
        String detail = p.path("detail").asText();
        assertTrue(detail.contains("deadline") && detail.contains("10 minutes") && detail.contains("500ms, 30s, 10m or 1h"), detail);
        problem(post(APP1 + "/drain", "{\"deadline\": 600}"), 400, "bad-request", APP1 + "/drain");
        problem(post(APP1 + "/drain", "{\"close_rate\": -1}"), 400, "bad-request", APP1 + "/drain");
        JsonNode typo = problem(post(APP1 + "/drain", "{\"dedline\": \"10m\"}"), 400, "bad-request", APP1 + "/drain");
        assertTrue(typo.path("detail").asText().contains("unknown field 'dedline'"), typo.toString());
        assertTrue(ops.calls.isEmpty(), ops.calls.toString());
    }

    @Test
    void malformedJsonIs400() throws Exception {
        JsonNode p = problem(post(APP1 + "/drain", "{\"deadline\": "), 400, "bad-request", APP1 + "/drain");
        assertTrue(p.path("detail").asText().startsWith("malformed JSON body"), p.toString());
        problem(post(APP1 + "/drain", "{} trailing"), 400, "bad-request", APP1 + "/drain");
        problem(post(APP1 + "/weight", "[50]"), 400, "bad-request", APP1 + "/weight");
        assertTrue(ops.calls.isEmpty(), ops.calls.toString());
    }

    @Test
    void readyUndrainMaint() throws Exception {
        post(APP1 + "/drain", null);
        HttpResponse<String> res = post(APP1 + "/undrain", null);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("ready", json(res).path("admin").asText());
        assertEquals(200, post(APP1 + "/ready", "{}").statusCode());
        res = post("/api/v1/pools/chat/backends/app-2/maint", "{\"kill\": true}");
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("maint", json(res).path("admin").asText());
        assertEquals(200, post(APP1 + "/maint", "").statusCode());
        assertEquals(List.of("drain chat/app-1 null null", "ready chat/app-1", "ready chat/app-1",
                "maint chat/app-2 true", "maint chat/app-1 false"), ops.calls);
        problem(post(APP1 + "/ready", "{\"now\": true}"), 400, "bad-request", APP1 + "/ready");
    }

    @Test
    void weightInRangeOnly() throws Exception {
        HttpResponse<String> res = post(APP1 + "/weight", "{\"weight\": 50}");
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(50, json(res).path("weight").asInt());
        assertEquals(200, post(APP1 + "/weight", "{\"weight\": 0}").statusCode());
        assertEquals(200, post(APP1 + "/weight", "{\"weight\": 1000}").statusCode());
        JsonNode p = problem(post(APP1 + "/weight", "{\"weight\": 1001}"), 400, "bad-request", APP1 + "/weight");
        assertTrue(p.path("detail").asText().contains("0..1000"), p.toString());
        problem(post(APP1 + "/weight", "{\"weight\": -1}"), 400, "bad-request", APP1 + "/weight");
        problem(post(APP1 + "/weight", "{\"weight\": \"50\"}"), 400, "bad-request", APP1 + "/weight");
        problem(post(APP1 + "/weight", "{\"weight\": 50.5}"), 400, "bad-request", APP1 + "/weight");
        problem(post(APP1 + "/weight", "{\"weight\": 99999999999}"), 400, "bad-request", APP1 + "/weight");
        problem(post(APP1 + "/weight", null), 400, "bad-request", APP1 + "/weight");
        assertEquals(List.of("weight chat/app-1 50", "weight chat/app-1 0", "weight chat/app-1 1000"), ops.calls);
    }

    @Test
    void unknownBackendIs404() throws Exception {
        String path = "/api/v1/pools/chat/backends/app-9/drain";
        JsonNode p = problem(post(path, null), 404, "not-found", path);
        assertEquals("no backend 'app-9' in pool 'chat' (backends: app-1, app-2)", p.path("detail").asText());
        problem(post("/api/v1/pools/nope/backends/app-1/ready", null), 404, "not-found", "/api/v1/pools/nope/backends/app-1/ready");
    }

    @Test
    void illegalArgumentFromTheDaemonIs400WithItsMessage() throws Exception {
        String path = "/api/v1/pools/chat/backends/app-2/weight";
        JsonNode p = problem(post(path, "{\"weight\": 7}"), 400, "bad-request", path);
        assertEquals("weight 7 is unlucky for app-2", p.path("detail").asText());
    }

    @Test
    void reloadOkAndRejected() throws Exception {
        HttpResponse<String> res = post("/api/v1/reload", null);
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(json(res).path("ok").asBoolean());
        assertEquals("reloaded: 1 pool, 2 backends", json(res).path("summary").asText());

        ops.reloadResult = new ReloadResult(false, "2 errors; the running config is kept",
                List.of("sluice.yaml:12: pools.chat.backends[0].weight: -5 (expected 0..1000)",
                        "sluice.yaml:20: listeners[1].bind: port 99999 (expected 1..65535)"));
        JsonNode p = problem(post("/api/v1/reload", null), 422, "config-rejected", "/api/v1/reload");
        assertEquals("2 errors; the running config is kept", p.path("detail").asText());
        assertEquals(2, p.path("errors").size());
        assertTrue(p.path("errors").get(0).asText().contains("weight: -5"));
    }

    // ----- auth ---------------------------------------------------------------------------------

    @Test
    void mutationsNeedTheToken() throws Exception {
        HttpResponse<String> none = post(APP1 + "/drain", null, null);
        problem(none, 401, "unauthorized", APP1 + "/drain");
        assertTrue(none.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));

        HttpResponse<String> wrong = post(APP1 + "/drain", null, "s3cret-tokeN");
        problem(wrong, 401, "unauthorized", APP1 + "/drain");
        assertTrue(wrong.headers().firstValue("www-authenticate").orElse("").contains("invalid_token"));

        problem(post("/api/v1/reload", null, "x"), 401, "unauthorized", "/api/v1/reload");
        // 401 comes before the body is looked at.
        problem(post(APP1 + "/weight", "not json", null), 401, "unauthorized", APP1 + "/weight");
        assertTrue(ops.calls.isEmpty(), "a refused call reaches nothing: " + ops.calls);

        assertEquals(200, post(APP1 + "/drain", null, TOKEN).statusCode());
        HttpResponse<String> lower = http.send(HttpRequest.newBuilder(uri(APP1 + "/ready"))
                .header("Authorization", "bearer  " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, lower.statusCode(), lower.body());
        assertEquals(List.of("drain chat/app-1 null null", "ready chat/app-1"), ops.calls);
    }

    @Test
    void withoutATokenFileEveryMutationIsRefused() throws Exception {
        server.close();
        server = AdminServer.start(loopback(), ops, null, transport, group);
        JsonNode p = problem(post(APP1 + "/drain", null, ""), 401, "unauthorized", APP1 + "/drain");
        assertTrue(p.path("detail").asText().contains("token-file"), p.toString());
        problem(post(APP1 + "/drain", null, "anything"), 401, "unauthorized", APP1 + "/drain");
        assertEquals(200, get("/api/v1/pools").statusCode(), "reads need no token");
        assertEquals(List.of("pools"), ops.calls);
    }

    // ----- protocol -----------------------------------------------------------------------------

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> res = post("/healthz", null);
        problem(res, 405, "method-not-allowed", "/healthz");
        assertEquals("GET, HEAD", res.headers().firstValue("allow").orElse(null));

        res = get("/api/v1/reload");
        problem(res, 405, "method-not-allowed", "/api/v1/reload");
        assertEquals("POST", res.headers().firstValue("allow").orElse(null));

        res = http.send(HttpRequest.newBuilder(uri("/api/v1/pools")).method("DELETE", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        problem(res, 405, "method-not-allowed", "/api/v1/pools");
        assertTrue(ops.calls.isEmpty(), ops.calls.toString());
    }

    @Test
    void bodyOver64KiBIs413() throws Exception {
        String big = "{\"deadline\": \"" + "x".repeat(70 * 1024) + "\"}";
        JsonNode p = problem(post(APP1 + "/drain", big), 413, "content-too-large", APP1 + "/drain");
        assertTrue(p.path("detail").asText().contains("64 KiB"), p.toString());
        assertTrue(ops.calls.isEmpty(), ops.calls.toString());
        assertEquals(200, get("/healthz").statusCode(), "the server carries on");
    }

    @Test
    void internalErrorsSayNothingAboutTheCause() throws Exception {
        ops.failure = () -> new IllegalStateException("secret internals at line 42");
        HttpResponse<String> res = get("/api/v1/status");
        JsonNode p = problem(res, 500, "internal", "/api/v1/status");
        assertFalse(res.body().contains("secret") || res.body().contains("IllegalStateException"), res.body());
        assertTrue(p.path("detail").asText().contains("log"), p.toString());
    }

    @Test
    void operationsRunOffTheEventLoop() throws Exception {
        assertEquals(200, get("/api/v1/status").statusCode());
        assertNotNull(ops.lastCallThread);
        assertTrue(ops.lastCallThread.getName().startsWith("sluice-admin"), ops.lastCallThread.getName());
    }

    @Test
    void keepAliveServesTwoRequestsOnOneConnection() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(ascii("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            out.flush();
            RawResponse first = RawResponse.read(in);
            assertEquals(200, first.status);
            assertFalse(first.head.toLowerCase(Locale.ROOT).contains("connection: close"), first.head);

            out.write(ascii("GET /api/v1/pools/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            out.flush();
            RawResponse second = RawResponse.read(in);
            assertEquals(200, second.status);
            assertTrue(second.body.contains("\"app-2\""), second.body);

            // Pipelined: both answers come back in order on the same socket.
            out.write(ascii("GET /api/v1/pools/nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            out.flush();
            assertEquals(404, RawResponse.read(in).status);
            assertEquals(200, RawResponse.read(in).status);
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(ascii("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
            InputStream in = socket.getInputStream();
            assertEquals(200, RawResponse.read(in).status);
            assertEquals(-1, in.read(), "closed after the answer");
        }
    }

    @Test
    void garbageIs400AndClosed() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(ascii("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            InputStream in = socket.getInputStream();
            RawResponse res = RawResponse.read(in);
            assertEquals(400, res.status);
            assertTrue(res.body.contains("bad-request"), res.body);
            assertEquals(-1, in.read());
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        server.close();
        server = AdminServer.start(loopback(), ops, TOKEN, transport, group, Duration.ofMillis(200));
        try (Socket socket = connect()) {
            socket.setSoTimeout(5_000);
            assertEquals(-1, socket.getInputStream().read(), "the server closed the idle connection");
        }
    }

    // ----- Host allow-list (DNS rebinding) ---------------------------------------------------------

    /** {@code GET path} with {@code Host: host} (null: no Host header) on a fresh connection. */
    private RawResponse getWithHost(String path, String host) throws IOException {
        try (Socket socket = connect()) {
            String hostLine = host == null ? "" : "Host: " + host + "\r\n";
            socket.getOutputStream().write(ascii("GET " + path + " HTTP/1.1\r\n" + hostLine + "Connection: close\r\n\r\n"));
            return RawResponse.read(socket.getInputStream());
        }
    }

    @Test
    void aForgedHostIsRefusedWith421AndTheProbesStillAnswer() throws Exception {
        int port = server.localAddress().getPort();
        // A page of evil.example rebound to 127.0.0.1: the browser sends its own name.
        for (String path : List.of("/api/v1/pools", "/api/v1/connections", "/api/v1/status", "/metrics", "/")) {
            RawResponse refused = getWithHost(path, "evil.example:" + port);
            assertEquals(421, refused.status, path + ": " + refused.body);
            assertTrue(refused.head.toLowerCase(Locale.ROOT).contains("content-type: application/problem+json"), refused.head);
            JsonNode p = JSON.readTree(refused.body);
            assertEquals("https://sluice.dev/problems/host-not-allowed", p.path("type").asText(), refused.body);
            assertEquals(421, p.path("status").asInt());
            assertEquals(path, p.path("instance").asText());
            assertTrue(p.path("detail").asText().contains("Host 'evil.example:" + port + "'")
                    && p.path("detail").asText().contains("admin.allowed-hosts"), refused.body);
            assertFalse(refused.body.contains("app-1"), "nothing of the pools leaks: " + refused.body);
        }
        assertEquals(0, ops.calls.size(), "a refused request never reaches the daemon: " + ops.calls);
        // Mutations are refused for the Host before the token is even looked at.
        try (Socket socket = connect()) {
            socket.getOutputStream().write(ascii("POST " + APP1 + "/drain HTTP/1.1\r\nHost: evil.example:" + port
                    + "\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            assertEquals(421, RawResponse.read(socket.getInputStream()).status);
        }
        assertEquals(0, ops.calls.size(), ops.calls.toString());
        // The admin port on another name, and the right names on another port, are refused too.
        assertEquals(421, getWithHost("/api/v1/pools", "127.0.0.1:" + (port == 65535 ? 1 : port + 1)).status);
        assertEquals(421, getWithHost("/api/v1/pools", "127.0.0.1.evil.example").status);
        assertEquals(421, getWithHost("/api/v1/pools", "").status);
        // Probes answer whatever the Host (an orchestrator names the pod's address).
        assertEquals(200, getWithHost("/healthz", "evil.example:" + port).status);
        assertEquals(200, getWithHost("/readyz", "10.1.2.3:" + port).status);
        // The default names: localhost, 127.0.0.1, [::1] (any spelling), with the admin port or none.
        for (String ok : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST.:" + port, "[::1]:" + port,
                "[0:0:0:0:0:0:0:1]:" + port, "127.0.0.1", "localhost")) {
            assertEquals(200, getWithHost("/api/v1/pools", ok).status, ok);
        }
        // No Host at all is no browser (HTTP/1.0 tools): answered.
        assertEquals(200, getWithHost("/api/v1/pools", null).status);
    }

    @Test
    void configuredHostsReplaceTheDefaultsAndStarAllowsAny() throws Exception {
        server.close();
        server = AdminServer.start(loopback(), List.of("admin.example.com", "proxy.example.com:8443"), ops, TOKEN,
                transport, group, -1);
        int port = server.localAddress().getPort();
        assertEquals(200, getWithHost("/api/v1/pools", "Admin.Example.COM:" + port).status);
        assertEquals(200, getWithHost("/api/v1/pools", "proxy.example.com:8443").status);
        assertEquals(421, getWithHost("/api/v1/pools", "proxy.example.com:" + port).status, "that entry names its port");
        assertEquals(421, getWithHost("/api/v1/pools", "localhost:" + port).status, "the list replaces the defaults");
        server.close();
        server = AdminServer.start(loopback(), List.of("*"), ops, TOKEN, transport, group, -1);
        assertEquals(200, getWithHost("/api/v1/pools", "evil.example:" + server.localAddress().getPort()).status);
    }

    @Test
    void bindFailureHasAnOperatorMessage() {
        AdminServer.BindFailedException e = assertThrows(AdminServer.BindFailedException.class,
                () -> AdminServer.start(server.localAddress(), ops, TOKEN, transport, group));
        assertTrue(e.getMessage().startsWith("cannot bind the admin API to 127.0.0.1:" + server.localAddress().getPort() + ": "),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void durationsParseTheConfigForms() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms").orElseThrow());
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s").orElseThrow());
        assertEquals(Duration.ofMinutes(10), Durations.parse("10m").orElseThrow());
        assertEquals(Duration.ofHours(1), Durations.parse("1h").orElseThrow());
        assertEquals(Duration.ZERO, Durations.parse("0").orElseThrow());
        for (String bad : List.of("10 minutes", "1h30m", "1.5s", "-1s", "10", "", "s", "10M", "9999999999999h")) {
            assertTrue(Durations.parse(bad).isEmpty(), bad);
        }
    }

    // ----- raw HTTP -----------------------------------------------------------------------------

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** One HTTP/1.1 response with a Content-Length body, read off a socket. */
    private record RawResponse(int status, String head, String body) {
        static RawResponse read(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed in the response head: " + head);
                }
                head.write(b);
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String text = head.toString(StandardCharsets.US_ASCII);
            int status = Integer.parseInt(text.substring(9, 12));
            int length = 0;
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] body = in.readNBytes(length);
            assertEquals(length, body.length);
            return new RawResponse(status, text, new String(body, StandardCharsets.UTF_8));
        }
    }

    @Test
    void problemRenderingKeepsStandardMembersFirst() throws Exception {
        AdminResponse r = AdminResponse.problem(new ApiProblem(ProblemType.CONFIG_REJECTED, "bad")
                .extension("errors", List.of("e1")).extension("status", 999), "/x");
        JsonNode p = JSON.readTree(r.body());
        assertEquals(422, p.path("status").asInt(), "extensions cannot override the standard members");
        assertNull(r.headers().get("Allow"));
        assertEquals(List.of("type", "title", "status", "detail", "instance", "errors"),
                List.copyOf(iteratorToList(p.fieldNames())));
    }

    private static List<String> iteratorToList(Iterator<String> it) {
        ArrayList<String> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
