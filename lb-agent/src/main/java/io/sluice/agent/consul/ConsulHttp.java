package io.sluice.agent.consul;

import io.sluice.agent.config.AgentConfig.ConsulConfig;
import io.sluice.agent.config.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;

/**
 * The few calls of Consul's agent HTTP API the agent needs (developer.hashicorp.com/consul/api-docs/agent),
 * with {@code java.net.http}: a client library would bring Retrofit, OkHttp and Kotlin for four PUTs.
 * The ACL token, if any, goes in {@code X-Consul-Token}.
 */
public final class ConsulHttp {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A response: status and body text. */
    public record Response(int status, String body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    ConsulHttp(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** Reads the token file (if configured) now, so a bad path fails at start with exit 2. */
    public static ConsulHttp of(ConsulConfig config) throws ConfigException {
        String token = null;
        if (config.tokenFile().isPresent()) {
            try {
                token = Files.readString(config.tokenFile().get(), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new ConfigException("consul.token-file: cannot read " + config.tokenFile().get() + ": " + e);
            }
        }
        return new ConsulHttp(URI.create(config.address()), token);
    }

    /** PUT {@code pathAndQuery} (already encoded) with a JSON body or none. */
    public Response put(String pathAndQuery, String jsonOrNull) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(TIMEOUT)
                .PUT(jsonOrNull == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonOrNull, StandardCharsets.UTF_8));
        if (jsonOrNull != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null && !token.isEmpty()) {
            b.header("X-Consul-Token", token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(r.statusCode(), r.body() == null ? "" : r.body().trim());
    }
}
