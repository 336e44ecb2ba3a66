package io.sluice.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.backend.AdminState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Locale;

/**
 * One override as JSON, the same in every store (local file entry, ZooKeeper node, Consul KV value):
 * {@code {"admin":"drain","weight":50,"drain_deadline":"...","close_rate":100,"reason":"..."}}. Also the
 * {@code "pool/backend"} key every store indexes by.
 */
public final class OverrideJson {

    private static final ObjectMapper json = new ObjectMapper();

    private OverrideJson() {}

    static String key(String pool, String backend) {
        return pool + "/" + backend;
    }

    public static ObjectNode toNode(AdminOverride o) {
        ObjectNode n = json.createObjectNode();
        n.put("admin", o.admin().word());
        if (o.weight() != null) {
            n.put("weight", o.weight());
        }
        if (o.drainDeadline() != null) {
            n.put("drain_deadline", o.drainDeadline().toString());
        }
        if (o.closeRate() != null) {
            n.put("close_rate", o.closeRate());
        }
        if (o.reason() != null) {
            n.put("reason", o.reason());
        }
        return n;
    }

    public static AdminOverride fromNode(JsonNode o) {
        return new AdminOverride(
                AdminState.valueOf(o.path("admin").asText("ready").toUpperCase(Locale.ROOT)),
                o.hasNonNull("weight") ? o.get("weight").asInt() : null,
                o.hasNonNull("drain_deadline") ? Instant.parse(o.get("drain_deadline").asText()) : null,
                o.hasNonNull("close_rate") ? o.get("close_rate").asDouble() : null,
                o.hasNonNull("reason") ? o.get("reason").asText() : null);
    }

    static byte[] serialize(AdminOverride o) {
        try {
            return json.writeValueAsBytes(toNode(o));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empty data is no override. */
    static AdminOverride parse(byte[] data) throws IOException {
        if (data == null || data.length == 0) {
            return AdminOverride.NONE;
        }
        return fromNode(json.readTree(data));
    }
}
