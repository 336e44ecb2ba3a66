package io.sluice.registry.consul;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;

/**
 * One entry of {@code /v1/kv}: its full key, the {@code ModifyIndex} to use for check-and-set, and the
 * value as Consul sends it (base64; null when the key has none). Decoding is left to {@link #value()},
 * so one unreadable value fails only its own entry, not the listing.
 */
public record KvEntry(String key, long modifyIndex, String base64Value) {

    static KvEntry of(JsonNode e) {
        JsonNode v = e.path("Value");
        return new KvEntry(e.path("Key").asText(""), e.path("ModifyIndex").asLong(-1), v.isTextual() ? v.asText() : null);
    }

    /**
     * The decoded value, or null when the key has none.
     *
     * @throws IllegalArgumentException when the value is not base64
     */
    public byte[] value() {
        return base64Value == null ? null : Base64.getDecoder().decode(base64Value);
    }
}
