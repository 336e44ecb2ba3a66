package io.sluice.admin;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in request bodies, in the config's syntax: an integer and a unit ({@code 500ms},
 * {@code 30s}, {@code 10m}, {@code 1h}) or a bare {@code 0}. Kept here rather than shared with
 * {@code io.sluice.config}, whose parser is package-private; both accept exactly the same forms.
 */
final class DurationText {

    /** Said in every 400 about a duration, so the client learns the syntax from the error. */
    static final String EXPECTED = "expected an integer and a unit: 500ms, 30s, 10m or 1h";

    // At most 12 digits: 10^12 hours still fits a Duration, so parsing cannot overflow.
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})(ms|s|m|h)");

    private DurationText() {
    }

    /** The duration, or empty if {@code text} is not in the accepted form. */
    static Optional<Duration> parse(String text) {
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
}
