package io.sluice.yaml;

import io.sluice.duration.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeType;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A YAML node together with its dotted path and line, so every conversion can report an error that
 * points at it. Conversions never throw: a bad value is reported to {@link Problems} and comes back
 * empty, and the caller carries on with a default to find further errors. Used by the one thread
 * reading the file.
 */
public final class YamlValue {

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final int MAX_QUOTED = 40;

    private final Node node;
    private final String path;
    private final Problems problems;

    public YamlValue(Node node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    public String path() {
        return path;
    }

    /** 1-based; 0 if the parser gave no position. */
    public int line() {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    public Node node() {
        return node;
    }

    public Problems problems() {
        return problems;
    }

    /** {@code key:} with nothing after it, or {@code ~} / {@code null}. Treated like an absent key. */
    public boolean isNull() {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    public void error(String message) {
        problems.add(line(), path, message);
    }

    /** The value under {@code key} of this mapping. */
    public YamlValue child(String key, Node child) {
        return new YamlValue(child, path.isEmpty() ? key : path + "." + key, problems);
    }

    /** The mapping view of this node, or empty (error reported) if it is not a mapping. */
    public Optional<YamlMapping> mapping(List<String> knownKeys) {
        return YamlMapping.of(this, knownKeys);
    }

    /** The elements of this sequence, or empty (error reported) if it is not one. */
    public Optional<List<YamlValue>> sequence() {
        if (!(node instanceof SequenceNode)) {
            error("expected a list, found " + describe(node));
            return Optional.empty();
        }
        List<Node> nodes = ((SequenceNode) node).getValue();
        List<YamlValue> elements = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            elements.add(new YamlValue(nodes.get(i), path + "[" + i + "]", problems));
        }
        return Optional.of(elements);
    }

    /** The scalar text, or empty (error reported) for a mapping or a list. */
    public Optional<String> text() {
        if (node instanceof ScalarNode) {
            return Optional.of(((ScalarNode) node).getValue());
        }
        error("expected a single value, found " + describe(node));
        return Optional.empty();
    }

    /** A decimal integer in {@code [min, max]}. */
    public OptionalInt integer(int min, int max) {
        Optional<String> text = text();
        if (text.isEmpty()) {
            return OptionalInt.empty();
        }
        String s = text.get().trim();
        String range = min + ".." + max;
        if (!INTEGER.matcher(s).matches()) {
            error(quote(s) + " (expected an integer " + range + ")");
            return OptionalInt.empty();
        }
        long value;
        try {
            value = Long.parseLong(s);
        } catch (NumberFormatException tooManyDigits) {
            error(abbreviate(s) + " (expected " + range + ")");
            return OptionalInt.empty();
        }
        if (value < min || value > max) {
            error(s + " (expected " + range + ")");
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) value);
    }

    /** A duration in {@code [min, max]}; {@code rangeText} says the range in the operator's words. */
    public Optional<Duration> duration(Duration min, Duration max, String rangeText) {
        Optional<String> text = text();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String s = text.get().trim();
        Optional<Duration> parsed = Durations.parse(s);
        if (parsed.isEmpty()) {
            error(Durations.problem(s));
            return Optional.empty();
        }
        Duration d = parsed.get();
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            error(abbreviate(s) + " (expected " + rangeText + ")");
            return Optional.empty();
        }
        return parsed;
    }

    /** {@code true} or {@code false} (also {@code True}, {@code TRUE}, {@code False}, {@code FALSE}, as in YAML 1.2). */
    public Optional<Boolean> bool() {
        Optional<String> text = text();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String s = text.get().trim();
        switch (s) {
            case "true", "True", "TRUE":
                return Optional.of(Boolean.TRUE);
            case "false", "False", "FALSE":
                return Optional.of(Boolean.FALSE);
            default:
                error(quote(s) + " (expected true or false)");
                return Optional.empty();
        }
    }

    /** One of {@code values}, by its YAML spelling. */
    public <E extends Enum<E>> Optional<E> oneOf(E[] values, Function<E, String> yamlName) {
        Optional<String> text = text();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String s = text.get().trim();
        for (E value : values) {
            if (yamlName.apply(value).equals(s)) {
                return Optional.of(value);
            }
        }
        List<String> names = Arrays.stream(values).map(yamlName).collect(Collectors.toList());
        error(quote(s) + " (expected " + orList(names) + ")" + Suggestions.hint(s, names));
        return Optional.empty();
    }

    /** {@code 'value'}, shortened and with control characters escaped so junk cannot garble the output. */
    public static String quote(String value) {
        return "'" + abbreviate(value) + "'";
    }

    public static String abbreviate(String value) {
        String shown = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "..." : value;
        StringBuilder out = new StringBuilder(shown.length());
        shown.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    public static String describe(Node node) {
        if (node.getNodeType() == NodeType.MAPPING) {
            return "a mapping";
        }
        if (node.getNodeType() == NodeType.SEQUENCE) {
            return "a list";
        }
        if (node instanceof ScalarNode && Tag.NULL.equals(node.getTag())) {
            return "nothing";
        }
        return node instanceof ScalarNode ? quote(((ScalarNode) node).getValue()) : "a " + node.getNodeType();
    }

    /** {@code a, b or c}. */
    public static String orList(List<String> items) {
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " or " + items.get(items.size() - 1);
    }
}
