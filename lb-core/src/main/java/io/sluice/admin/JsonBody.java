package io.sluice.admin;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.duration.Durations;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The optional JSON object of a POST, with typed getters that answer 400 naming the field and
 * what was expected. Unknown fields are refused rather than ignored, so a typo such as
 * {@code {"dedline": "10m"}} does not silently drain without a deadline.
 */
final class JsonBody {

    private final ObjectNode fields;

    private JsonBody(ObjectNode fields) {
        this.fields = fields;
    }

    /**
     * Parses {@code body}: empty, whitespace or {@code null} mean no fields; otherwise a JSON object
     * whose field names are all in {@code allowed}.
     */
    static JsonBody parse(byte[] body, List<String> allowed) {
        ObjectNode object = AdminResponse.MAPPER.createObjectNode();
        if (body.length > 0) {
            JsonNode root;
            try {
                root = AdminResponse.MAPPER.readTree(body);
            } catch (JsonProcessingException e) {
                throw ApiProblem.badRequest("malformed JSON body: " + e.getOriginalMessage() + where(e.getLocation()));
            } catch (IOException e) {
                throw ApiProblem.badRequest("unreadable JSON body: " + e.getMessage());
            }
            if (root != null && !root.isMissingNode() && !root.isNull()) {
                if (!root.isObject()) {
                    throw ApiProblem.badRequest("the body must be a JSON object, not " + kind(root));
                }
                object = (ObjectNode) root;
            }
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiProblem.badRequest("unknown field '" + name + "' ("
                        + (allowed.isEmpty() ? "this call takes no body" : "expected: " + String.join(", ", allowed)) + ")");
            }
        }
        return new JsonBody(object);
    }

    /** A duration string in the config syntax, or null when absent or JSON null. */
    Duration duration(String name) {
        JsonNode node = present(name);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiProblem.badRequest("bad '" + name + "': " + node + " (" + Durations.EXPECTED + ", as a string)");
        }
        return Durations.parse(node.textValue()).orElseThrow(() -> ApiProblem.badRequest(
                "bad '" + name + "': " + node + " (" + Durations.EXPECTED + ")"));
    }

    /** A finite number greater than zero, or null when absent or JSON null. */
    Double positiveNumber(String name) {
        JsonNode node = present(name);
        if (node == null) {
            return null;
        }
        if (!node.isNumber() || !Double.isFinite(node.doubleValue()) || node.doubleValue() <= 0) {
            throw ApiProblem.badRequest("bad '" + name + "': " + node + " (expected a number greater than 0)");
        }
        return node.doubleValue();
    }

    /** A single-line string of at most {@code max} characters, trimmed; null when absent, JSON null or blank. */
    String text(String name, int max) {
        JsonNode node = present(name);
        if (node == null) {
            return null;
        }
        if (!node.isTextual() || node.textValue().length() > max || node.textValue().chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.badRequest("bad '" + name + "': " + (node.isTextual() ? "\"" + node.textValue().strip() + "\"" : node)
                    + " (expected one line of text, at most " + max + " characters)");
        }
        String t = node.textValue().strip();
        return t.isEmpty() ? null : t;
    }

    /** A boolean, or {@code fallback} when absent or JSON null. */
    boolean bool(String name, boolean fallback) {
        JsonNode node = present(name);
        if (node == null) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw ApiProblem.badRequest("bad '" + name + "': " + node + " (expected true or false)");
        }
        return node.booleanValue();
    }

    /** A required integer within {@code min..max}. */
    int requiredInt(String name, int min, int max) {
        JsonNode node = present(name);
        String expected = "expected an integer " + min + ".." + max;
        if (node == null) {
            throw ApiProblem.badRequest("missing '" + name + "' (" + expected + ", e.g. {\"" + name + "\": " + max / 10 + "})");
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw ApiProblem.badRequest("bad '" + name + "': " + node + " (" + expected + ")");
        }
        return node.intValue();
    }

    private JsonNode present(String name) {
        JsonNode node = fields.get(name);
        return node == null || node.isNull() ? null : node;
    }

    private static String kind(JsonNode node) {
        return node.isArray() ? "an array" : node.isTextual() ? "a string" : node.isNumber() ? "a number" : "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static String where(JsonLocation at) {
        return at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
}
