package io.sluice.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.AdminConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The admin HTTP API as an operator reaches it: java.net.http over loopback, bearer token on POST.
 * Shares no code with the daemon's admin server.
 */
final class AdminClient {

    static final String TOKEN = "s3cret-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;

    AdminClient(InetSocketAddress admin) {
        this.base = "http://" + admin.getAddress().getHostAddress() + ":" + admin.getPort();
    }

    /** Writes {@link #TOKEN} (with a trailing newline, which the daemon must trim) into {@code dir}. */
    static Path tokenFile(Path dir) throws IOException {
        Path f = dir.resolve("admin.token");
        Files.writeString(f, TOKEN + "\n");
        return f;
    }

    /** Admin API on 127.0.0.1, a free port, with the token in {@code dir}. */
    static AdminConfig adminConfig(Path dir) throws IOException {
        return new AdminConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tokenFile(dir));
    }

    /** One answer: the status, the raw body, and the body as JSON when it is JSON. */
    record Answer(int status, String body, String contentType) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** POST with the right token. */
    Answer post(String path, String body) {
        return post(path, body, TOKEN);
    }

    /** POST with {@code token} (null: no Authorization header). */
    Answer post(String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    /** GET /api/v1/pools/{pool}: the backend's view. */
    JsonNode backend(String pool, String backend) {
        Answer a = get("/api/v1/pools/" + pool);
        if (a.status() != 200) {
            throw new AssertionError("GET pool " + pool + ": " + a);
        }
        for (JsonNode b : a.json().path("backends")) {
            if (b.path("name").asText().equals(backend)) {
                return b;
            }
        }
        throw new AssertionError("no backend " + backend + " in " + a.body());
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
