package io.sluice.duration;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of Sluice (docs/configuration.md, "Durations"): an integer of at most 12
 * digits and a unit, {@code ms}, {@code s}, {@code m} or {@code h}, or a bare {@code 0}. The daemon's
 * config, the admin API's request bodies, {@code sluicectl}'s options and {@code agent.yaml} all read
 * durations here, so an operator writes a duration one way everywhere and every program says the
 * same thing about a bad one.
 *
 * <p>A bare number other than 0 is an error, not seconds: {@code 30} could as well mean milliseconds
 * (Consul's API) or minutes, and the error says to add the unit. Fractions and compound forms
 * ({@code 1h30m}) are left out on purpose: one obvious spelling per value keeps files greppable.
 *
 * <p>Stateless; any thread.
 */
public final class Durations {

    /** Said in every error about a duration, so the reader learns the syntax from the error. */
    public static final String EXPECTED = "expected an integer and a unit: 500ms, 30s, 10m or 1h";

    /** 10^12 hours still fits a {@link Duration}, so parsing cannot overflow. */
    private static final int MAX_DIGITS = 12;

    private static final Pattern DURATION = Pattern.compile("([0-9]{1," + MAX_DIGITS + "})(ms|s|m|h)");
    private static final Pattern BARE_NUMBER = Pattern.compile("[0-9]{1," + MAX_DIGITS + "}");
    private static final Pattern TOO_LONG = Pattern.compile("[0-9]{" + (MAX_DIGITS + 1) + ",}(ms|s|m|h)?");
    private static final int MAX_SHOWN = 40;

    private Durations() {
    }

    /** The duration, or empty if {@code text} (not trimmed) is not in the grammar; {@link #problem} says why. */
    public static Optional<Duration> parse(String text) {
        if (text.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        });
    }

    /**
     * Why {@code text} is not a duration, as every program says it:
     * {@code '30' is not a duration: add a unit, e.g. 30s (expected an integer and a unit: 500ms, 30s, 10m or 1h)}.
     * Only meaningful when {@link #parse} came back empty.
     */
    public static String problem(String text) {
        String shown = "'" + shown(text) + "' is not a duration";
        if (BARE_NUMBER.matcher(text).matches()) {
            shown += ": add a unit, e.g. " + text + "s";
        } else if (TOO_LONG.matcher(text).matches()) {
            shown += ": at most " + MAX_DIGITS + " digits";
        }
        return shown + " (" + EXPECTED + ")";
    }

    /**
     * The duration of {@code text}, surrounding blanks ignored (a command-line argument, an agent.yaml value).
     *
     * @throws IllegalArgumentException with {@link #problem}'s message
     */
    public static Duration parseArgument(String text) {
        String trimmed = text.strip();
        return parse(trimmed).orElseThrow(() -> new IllegalArgumentException(problem(trimmed)));
    }

    /** {@code d} in the grammar, in the largest unit that divides it: {@code 2s}, {@code 10m}, {@code 1500ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /**
     * Shortened, control characters escaped, so junk cannot garble an error line. (The YAML kit has the
     * same rule in {@code YamlValue.abbreviate}; it depends on this package, not the other way.)
     */
    private static String shown(String text) {
        String cut = text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
