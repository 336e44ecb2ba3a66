package io.sluice.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in the config: an integer and a unit, {@code ms}, {@code s}, {@code m} or
 * {@code h}, or a bare {@code 0}. Fractions and compound forms ({@code 1h30m}) are left out on purpose:
 * one obvious spelling per value keeps files greppable. The admin API parses request bodies with the
 * same rules, so an operator writes a duration one way everywhere.
 */
public final class Durations {

    /** Said in every error about a duration, so the reader learns the syntax from the error. */
    public static final String EXPECTED = "expected an integer and a unit: 500ms, 30s, 10m or 1h";

    // At most 12 digits: 10^12 hours still fits a Duration, so parsing cannot overflow.
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})(ms|s|m|h)");

    private Durations() {
    }

    /** The duration, or empty if {@code text} is not in the accepted form. */
    public static Optional<Duration> parse(String text) {
        if (text.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Optional.of(Duration.ofMillis(n));
            case "s":
                return Optional.of(Duration.ofSeconds(n));
            case "m":
                return Optional.of(Duration.ofMinutes(n));
            default:
                return Optional.of(Duration.ofHours(n));
        }
    }

    /** {@code d} in the config's own form, in the largest unit that divides it: {@code 2s}, {@code 10m}, {@code 1500ms}. */
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
}
