package io.sluice.discovery.consul;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The agent calls the scenarios make, with plain java.net.http, so they run unchanged against
 * {@link ConsulApiFixture} and a real Consul. Each service gets one TTL check {@code service:<id>}.
 */
final class ConsulAgentHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ConsulAgentHttp(URI base, String tokenOrNull) {
        this.base = base;
        this.token = tokenOrNull;
    }

    /**
     * Registers {@code id} of service {@code name} with a TTL check in {@code checkStatus}.
     *
     * @param address empty for "use the node's address"
     * @param weights {passing, warning}, or null for Consul's default
     */
    void register(String id, String name, List<String> tags, String address, int port, int[] weights,
                  Map<String, String> meta, String checkStatus) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("ID", id);
        body.put("Name", name);
        tags.forEach(body.putArray("Tags")::add);
        body.put("Address", address);
        body.put("Port", port);
        if (weights != null) {
            body.putObject("Weights").put("Passing", weights[0]).put("Warning", weights[1]);
        }
        ObjectNode m = body.putObject("Meta");
        meta.forEach(m::put);
        body.putObject("Check").put("CheckID", "service:" + id).put("Name", "ttl").put("TTL", "10m")
                .put("Status", checkStatus);
        put("/v1/agent/service/register", JSON.writeValueAsString(body));
    }

    void register(String id, String name, String address, int port) throws IOException, InterruptedException {
        register(id, name, List.of(), address, port, null, Map.of(), "passing");
    }

    /**
     * Registers {@code id} of service {@code name} on an external node through {@code /v1/catalog/register},
     * as done for services no agent runs beside (api-docs/catalog): the node's {@code TaggedAddresses}
     * carry only {@code lan}, the service has no address (so it lives at the node's), no tags and no meta,
     * and its one check is given as passing.
     */
    void registerExternal(String node, String nodeAddress, String id, String name, int port)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("Node", node);
        body.put("Address", nodeAddress);
        body.putObject("TaggedAddresses").put("lan", nodeAddress);
        body.putObject("Service").put("ID", id).put("Service", name).put("Port", port);
        body.putObject("Check").put("CheckID", "service:" + id).put("Name", "external").put("Status", "passing")
                .put("ServiceID", id);
        put("/v1/catalog/register", JSON.writeValueAsString(body));
    }

    void deregister(String id) throws IOException, InterruptedException {
        put("/v1/agent/service/deregister/" + enc(id), "");
    }

    /** {@code verb}: pass, warn or fail, on the service's TTL check. */
    void check(String id, String verb) throws IOException, InterruptedException {
        put("/v1/agent/check/" + verb + "/" + enc("service:" + id), "");
    }

    void maintenance(String id, boolean enable) throws IOException, InterruptedException {
        put("/v1/agent/service/maintenance/" + enc(id) + "?enable=" + enable + "&reason=test", "");
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(request(pathAndQuery).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> put(String pathAndQuery, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(pathAndQuery).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("PUT " + pathAndQuery + " -> " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(pathAndQuery));
        if (token != null) {
            b.header("X-Consul-Token", token);
        }
        return b;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
