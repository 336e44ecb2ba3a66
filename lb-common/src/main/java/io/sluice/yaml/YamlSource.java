package io.sluice.yaml;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Turns YAML text into a node tree with positions, reporting syntax errors as {@link ConfigError}s.
 * Only the node tree is built (no Java objects), so no YAML tag can instantiate anything. Stateless.
 */
public final class YamlSource {

    /** Sluice's files nest five levels deep; the bound only has to stop {@code [[[[...} junk. */
    private static final int MAX_DEPTH = 32;

    /** An unquoted {@code [v6]:port}, which YAML reads as the start of a list. */
    private static final Pattern UNQUOTED_V6 = Pattern.compile(":\\s*\\[[0-9A-Fa-f:.]*\\]:[0-9]");

    private YamlSource() {
    }

    /** The document's root node; empty if the document is empty or has errors (then reported). */
    public static Optional<Node> compose(String yaml, String fileName, Problems problems) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(fileName)
                .setUseMarks(true)
                .setAllowRecursiveKeys(false)
                // YAML 1.2 core schema, so ~ and Null are null as operators expect; values are read as text.
                .setSchema(new CoreSchema())
                .build();
        try {
            if (!wellShaped(yaml, settings, problems)) {
                return Optional.empty();
            }
            return new Compose(settings).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
            int line = mark.map(m -> m.getLine() + 1).orElse(0);
            problems.add(line, "", "YAML syntax error: " + syntaxMessage(e) + hint(yaml, line));
        } catch (ReaderException e) {
            problems.add(lineOfCodePoint(yaml, e.getPosition()), "",
                    String.format("YAML syntax error: %s (character U+%04X)", e.getMessage(), e.getCodePoint()));
        } catch (YamlEngineException e) {
            // Unmarked engine errors: input over the size limit, alias bombs and the like.
            problems.add(0, "", "cannot read YAML: " + e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * A pre-pass over parser events for two shapes the composer cannot take: nesting deep enough to
     * overflow its recursion, and an alias inside the node it names ({@code a: &a {<<: *a}}), which
     * sends snakeyaml's merge-key handling into an endless loop. Neither has a use in a config. The
     * parser is an explicit state machine, so this pass cannot overflow the stack itself.
     */
    private static boolean wellShaped(String yaml, LoadSettings settings, Problems problems) {
        Deque<String> open = new ArrayDeque<>(); // anchor of each open collection, "" for none
        for (Event event : new Parse(settings).parseString(yaml)) {
            int line = event.getStartMark().map(m -> m.getLine() + 1).orElse(0);
            switch (event.getEventId()) {
                case MappingStart, SequenceStart -> {
                    if (open.size() >= MAX_DEPTH) {
                        problems.add(line, "", "YAML nested deeper than " + MAX_DEPTH + " levels");
                        return false;
                    }
                    open.push(((NodeEvent) event).getAnchor().map(Anchor::getValue).orElse(""));
                }
                case MappingEnd, SequenceEnd -> open.pop();
                case Alias -> {
                    String alias = ((AliasEvent) event).getAlias().getValue();
                    if (open.contains(alias)) {
                        problems.add(line, "", "alias *" + YamlValue.abbreviate(alias)
                                + " is used inside the node it names (recursive YAML is not allowed)");
                        return false;
                    }
                }
                default -> {
                }
            }
        }
        return true;
    }

    /** The problem and its context on one line, without snakeyaml's multi-line snippets. */
    private static String syntaxMessage(MarkedYamlEngineException e) {
        String problem = e.getProblem() == null ? "" : e.getProblem().strip();
        String context = e.getContext() == null ? "" : e.getContext().strip();
        if (context.isEmpty()) {
            return problem;
        }
        return problem + " (" + context + ")";
    }

    private static String hint(String yaml, int line) {
        String[] lines = yaml.split("\n", -1);
        if (line >= 1 && line <= lines.length && UNQUOTED_V6.matcher(lines[line - 1]).find()) {
            return "; quote IPv6 addresses, like \"[::1]:7000\"";
        }
        return "";
    }

    private static int lineOfCodePoint(String yaml, int codePointIndex) {
        int line = 1;
        int i = 0;
        for (int cp = 0; cp < codePointIndex && i < yaml.length(); cp++) {
            if (yaml.charAt(i) == '\n') {
                line++;
            }
            i += Character.charCount(yaml.codePointAt(i));
        }
        return line;
    }
}
