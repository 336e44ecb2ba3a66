package io.sluice.yaml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * A checked view of a YAML mapping: keys must be scalars, may appear once, and (for fixed-shape
 * sections) must be known. Snakeyaml's node API keeps duplicate keys, so they are caught here, where
 * the second key's line is known. Used by the thread reading the file, like {@link YamlValue}.
 */
public final class YamlMapping {

    /** One key and its value; the key keeps its own node for the line of key-level errors. */
    public record Entry(String key, YamlValue keyValue, YamlValue value) {
    }

    private final YamlValue self;
    private final Map<String, Entry> entries;

    private YamlMapping(YamlValue self, Map<String, Entry> entries) {
        this.self = self;
        this.entries = entries;
    }

    /**
     * @param knownKeys the keys this section allows, or {@code null} when keys are names (like pool names)
     * @return the view, or empty (error reported) if the node is not a mapping. A null node (a key with
     *         nothing after it) is an empty mapping, so {@code timeouts:} alone means "all defaults".
     */
    public static Optional<YamlMapping> of(YamlValue value, List<String> knownKeys) {
        if (value.isNull()) {
            return Optional.of(new YamlMapping(value, Map.of()));
        }
        if (!(value.node() instanceof MappingNode)) {
            value.error("expected a mapping, found " + YamlValue.describe(value.node()));
            return Optional.empty();
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : ((MappingNode) value.node()).getValue()) {
            Node keyNode = tuple.getKeyNode();
            YamlValue keyAt = new YamlValue(keyNode, value.path(), value.problems());
            if (!(keyNode instanceof ScalarNode)) {
                keyAt.error("keys must be plain words, found " + YamlValue.describe(keyNode));
                continue;
            }
            String key = ((ScalarNode) keyNode).getValue();
            YamlValue keyValue = value.child(key, keyNode);
            Entry first = entries.get(key);
            if (first != null) {
                keyValue.error("duplicate key '" + YamlValue.abbreviate(key) + "' (first at line "
                        + first.keyValue().line() + ")");
                continue;
            }
            if (knownKeys != null && !knownKeys.contains(key)) {
                keyValue.error(unknownKeyMessage(key, knownKeys));
                continue;
            }
            entries.put(key, new Entry(key, keyValue, value.child(key, tuple.getValueNode())));
        }
        return Optional.of(new YamlMapping(value, entries));
    }

    private static String unknownKeyMessage(String key, List<String> knownKeys) {
        String hint = Suggestions.closest(key, knownKeys)
                .map(s -> "did you mean '" + s + "'?")
                .orElse("expected " + YamlValue.orList(knownKeys));
        return "unknown key " + YamlValue.quote(key) + " (" + hint + ")";
    }

    public YamlValue self() {
        return self;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Entries in file order. */
    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    /** The entry of {@code key}, with the key's own position; empty when absent (even if its value is null). */
    public Optional<Entry> entry(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** The value under {@code key}; empty when absent or null. */
    public Optional<YamlValue> get(String key) {
        Entry e = entries.get(key);
        return e == null || e.value().isNull() ? Optional.empty() : Optional.of(e.value());
    }

    /** Like {@link #get} but a missing or empty value is an error. */
    public Optional<YamlValue> require(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            self.problems().add(self.line(), self.child(key, self.node()).path(), "required key is missing");
            return Optional.empty();
        }
        if (e.value().isNull()) {
            e.value().error("a value is required");
            return Optional.empty();
        }
        return Optional.of(e.value());
    }

    public int integer(String key, int min, int max, int defaultValue) {
        return get(key).map(v -> v.integer(min, max).orElse(defaultValue)).orElse(defaultValue);
    }

    public Duration duration(String key, Duration min, Duration max, String rangeText, Duration defaultValue) {
        return get(key).flatMap(v -> v.duration(min, max, rangeText)).orElse(defaultValue);
    }
}
