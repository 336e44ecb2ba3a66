package io.sluice.accesslog;

import java.time.Instant;

/**
 * Appends an {@link Instant} exactly as {@link Instant#toString()} prints it (ISO-8601 in UTC, the
 * fraction in groups of three digits, as many as needed, none when it is zero; tests compare the
 * two), with the date and time up to the second taken from a cache of the last second printed.
 *
 * <p>Why: {@code Instant.toString} goes through {@code DateTimeFormatter}, which computes the
 * calendar date and allocates a builder and a formatter context for every line; connections close
 * many times a second, so nearly every line falls in the second the previous one did.
 *
 * <p>Threads: any thread. The cache is one immutable pair published through a volatile field: a
 * thread that finds another second there prints its own and replaces it; nothing waits.
 */
final class InstantText {

    /** One second's text up to the seconds, {@code 2026-12-07T16:05:41}. */
    private record Second(long epochSecond, String text) {}

    private volatile Second last = new Second(0, secondText(0));

    /** Appends {@code time} as {@code Instant.toString} would. */
    void append(StringBuilder out, Instant time) {
        long epochSecond = time.getEpochSecond();
        Second second = last;
        if (second.epochSecond() != epochSecond) {
            second = new Second(epochSecond, secondText(epochSecond));
            last = second;
        }
        out.append(second.text());
        int nanos = time.getNano();
        if (nanos != 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(out, nanos / 1_000_000, 3);
            } else if (nanos % 1000 == 0) {
                digits(out, nanos / 1000, 6);
            } else {
                digits(out, nanos, 9);
            }
        }
        out.append('Z');
    }

    /** {@code Instant.toString} of the whole second without its {@code Z}: whatever the year, the same text. */
    private static String secondText(long epochSecond) {
        String whole = Instant.ofEpochSecond(epochSecond).toString();
        return whole.substring(0, whole.length() - 1);
    }

    /** {@code value} with leading zeros to {@code width} digits; {@code value < 10^width}. */
    private static void digits(StringBuilder out, int value, int width) {
        for (int scale = pow10(width - 1); scale > 0; scale /= 10) {
            out.append((char) ('0' + value / scale % 10));
        }
    }

    private static int pow10(int exponent) {
        int p = 1;
        for (int i = 0; i < exponent; i++) {
            p *= 10;
        }
        return p;
    }
}
