package io.sluice.registry.consul;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole answer of {@code /v1/health/service/<name>}: the entries that could be read, and one line per
 * entry that could not (no {@code Service.ID}, no usable {@code Service.Port}, not an object). One odd
 * entry is skipped and reported, never the whole answer. Stateless parsing; immutable result.
 */
public record HealthResponse(List<HealthEntry> entries, List<String> skipped) {

    public HealthResponse {
        entries = List.copyOf(entries);
        skipped = List.copyOf(skipped);
    }

    /** Reads each element of Consul's JSON array on its own. */
    public static HealthResponse parse(JsonNode array) {
        List<HealthEntry> entries = new ArrayList<>(array.size());
        List<String> skipped = new ArrayList<>();
        int position = 0;
        for (JsonNode e : array) {
            String problem = problem(e);
            if (problem == null) {
                entries.add(entry(e));
            } else {
                skipped.add("entry " + position + ": " + problem);
            }
            position++;
        }
        return new HealthResponse(entries, skipped);
    }

    private static String problem(JsonNode e) {
        if (!e.isObject()) {
            return "not a JSON object";
        }
        JsonNode service = e.path("Service");
        String id = service.path("ID").asText("");
        if (!service.path("ID").isTextual() || id.isEmpty()) {
            return "no Service.ID";
        }
        JsonNode port = service.path("Port");
        if (!port.canConvertToInt() || !port.isIntegralNumber() || port.asInt() < 0 || port.asInt() > 65_535) {
            return "service " + id + ": Service.Port " + (port.isMissingNode() ? "missing" : port.toString())
                    + " (expected 0..65535)";
        }
        return null;
    }

    private static HealthEntry entry(JsonNode e) {
        JsonNode service = e.path("Service");
        Map<String, String> meta = new LinkedHashMap<>();
        service.path("Meta").fields().forEachRemaining(f -> {
            if (f.getValue().isValueNode() && !f.getValue().isNull()) {
                meta.put(f.getKey(), f.getValue().asText());
            }
        });
        JsonNode w = service.path("Weights");
        Optional<HealthEntry.Weights> weights = w.path("Passing").canConvertToInt()
                ? Optional.of(new HealthEntry.Weights(w.path("Passing").asInt(), w.path("Warning").asInt(1)))
                : Optional.empty();
        List<HealthEntry.Check> checks = new ArrayList<>();
        for (JsonNode c : e.path("Checks")) {
            checks.add(new HealthEntry.Check(c.path("CheckID").asText(""), c.path("Status").asText(""), c.path("Notes").asText("")));
        }
        return new HealthEntry(service.path("ID").asText(), text(service.path("Address")), text(e.path("Node").path("Address")),
                service.path("Port").asInt(), Map.copyOf(meta), weights, List.copyOf(checks));
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : "";
    }
}
