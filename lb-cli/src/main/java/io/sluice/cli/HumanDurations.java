package io.sluice.cli;

import io.sluice.duration.Durations;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Durations for people: short renderings for tables and messages, and the Picocli converter that reads
 * duration options in the one grammar of {@link Durations} (docs/configuration.md, "Durations").
 */
final class HumanDurations {

    private HumanDurations() {}

    /** Short and human: {@code 850ms}, {@code 42s}, {@code 3m12s}, {@code 2h05m}, {@code 3d04h}. */
    static String human(Duration d) {
        long ms = Math.abs(d.toMillis());
        if (ms == 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s % 60 == 0 ? s / 60 + "m" : String.format("%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format("%dd%02dh", s / 86400, s % 86400 / 3600);
    }

    /** Picocli converter, so a bad value is a usage error (exit 2) naming the option and saying why. */
    static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parseArgument(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
