package io.sluice.config;

import io.sluice.duration.Durations;
import io.sluice.yaml.Problems;
import io.sluice.yaml.YamlMapping;
import io.sluice.yaml.YamlValue;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a pool says about its backends' health and their way out: {@code health} (active checks),
 * {@code passive}, {@code slow-start} and {@code drain}. Absent keys take the values of the records'
 * {@code DEFAULTS}; errors go to {@link Problems} as everywhere.
 */
final class HealthBinder {

    static final List<String> HEALTH_KEYS =
            List.of("type", "interval", "timeout", "rise", "fall", "verify-certificate", "http");
    static final List<String> HTTP_KEYS = List.of("path", "expect-status", "host");
    static final List<String> PASSIVE_KEYS = List.of("consecutive-failures", "ejection");
    static final List<String> DRAIN_KEYS = List.of("deadline", "close-rate");

    static final Duration MAX_INTERVAL = Duration.ofHours(1);
    static final Duration MAX_EJECTION = Duration.ofHours(1);
    static final Duration MAX_SLOW_START = Duration.ofHours(1);
    static final Duration MAX_DRAIN_DEADLINE = Duration.ofHours(168);
    static final int MAX_RISE_FALL = 100;
    static final int MAX_CONSECUTIVE_FAILURES = 1000;
    static final int MAX_CLOSE_RATE = 100_000;
    static final int MIN_STATUS = 100;
    static final int MAX_STATUS = 599;
    static final int MAX_PATH_LENGTH = 2048;

    private static final Duration POSITIVE = Duration.ofMillis(1);
    private static final String UP_TO_1H = "more than 0 and at most 1h";
    private static final Pattern STATUS = Pattern.compile("([0-9]{1,9})(?:\\s*-\\s*([0-9]{1,9}))?");
    private static final String STATUS_EXPECTED =
            "expected a status like 200 or a range like 200-399, within " + MIN_STATUS + ".." + MAX_STATUS;
    private static final Pattern CLOSE_RATE = Pattern.compile("([0-9]+)(/s)?");

    private HealthBinder() {
    }

    /** {@code health} of {@code pool}. */
    static HealthConfig health(YamlMapping pool) {
        HealthConfig d = HealthConfig.DEFAULTS;
        Optional<YamlMapping> found = pool.get("health").flatMap(v -> v.mapping(HEALTH_KEYS));
        if (found.isEmpty()) {
            return d;
        }
        YamlMapping m = found.get();
        // Empty when the type is wrong (reported): type-dependent checks are then skipped.
        Optional<HealthCheckType> type = m.get("type").isPresent()
                ? m.get("type").get().oneOf(HealthCheckType.values(), HealthCheckType::yamlName)
                : Optional.of(d.type());

        Optional<YamlValue> intervalAt = m.get("interval");
        Optional<Duration> interval = intervalAt.isPresent()
                ? intervalAt.get().duration(POSITIVE, MAX_INTERVAL, UP_TO_1H)
                : Optional.of(d.interval());
        Optional<YamlValue> timeoutAt = m.get("timeout");
        // Without a timeout, the default one, cut to the interval when that is shorter (interval: 500ms alone is fine).
        Duration i = interval.orElse(d.interval());
        Duration fallback = d.timeout().compareTo(i) <= 0 ? d.timeout() : i;
        Duration timeout = fallback;
        if (timeoutAt.isPresent()) {
            Optional<Duration> t = timeoutAt.get().duration(POSITIVE, MAX_INTERVAL, UP_TO_1H);
            if (t.isPresent() && interval.isPresent() && t.get().compareTo(interval.get()) > 0) {
                String intervalText = intervalAt.isPresent()
                        ? Durations.format(interval.get())
                        : Durations.format(d.interval()) + " (the default)";
                timeoutAt.get().error("timeout " + Durations.format(t.get()) + " is longer than interval "
                        + intervalText + " (a check must end before the next one starts)");
            } else if (t.isPresent()) {
                timeout = t.get();
            }
        }
        int rise = m.integer("rise", 1, MAX_RISE_FALL, d.rise());
        int fall = m.integer("fall", 1, MAX_RISE_FALL, d.fall());

        boolean verify = m.get("verify-certificate").flatMap(YamlValue::bool).orElse(d.verifyCertificate());
        if (m.get("verify-certificate").isPresent() && type.isPresent() && type.get() != HealthCheckType.TLS_HELLO) {
            m.entry("verify-certificate").get().keyValue().error("verify-certificate needs type: tls-hello");
        }
        Optional<YamlValue> httpAt = m.get("http");
        HttpCheckConfig http = httpAt.map(HealthBinder::http).orElse(d.http());
        if (httpAt.isPresent() && type.isPresent() && type.get() != HealthCheckType.HTTP) {
            m.entry("http").get().keyValue().error("http settings need type: http");
        }
        return new HealthConfig(type.orElse(d.type()), interval.orElse(d.interval()), timeout, rise, fall, http,
                verify);
    }

    private static HttpCheckConfig http(YamlValue section) {
        HttpCheckConfig d = HttpCheckConfig.DEFAULTS;
        Optional<YamlMapping> found = section.mapping(HTTP_KEYS);
        if (found.isEmpty()) {
            return d;
        }
        YamlMapping m = found.get();
        String path = m.get("path").flatMap(HealthBinder::path).orElse(d.path());
        int[] status = m.get("expect-status").flatMap(HealthBinder::status)
                .orElse(new int[] {d.statusMin(), d.statusMax()});
        String host = m.get("host").flatMap(HealthBinder::host).orElse(d.host());
        return new HttpCheckConfig(path, status[0], status[1], host);
    }

    /** The request target: it goes into the request line as is, so no spaces or control characters. */
    private static Optional<String> path(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String p = text.get();
        if (!p.startsWith("/")) {
            value.error(YamlValue.quote(p) + " (expected a path starting with '/', like /healthz)");
            return Optional.empty();
        }
        if (p.length() > MAX_PATH_LENGTH || !p.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            value.error(YamlValue.quote(p) + " (expected a path of at most " + MAX_PATH_LENGTH
                    + " printable ASCII characters without spaces; percent-encode the others)");
            return Optional.empty();
        }
        return Optional.of(p);
    }

    /** {@code 200} or {@code 200-399}, as {min, max}. */
    private static Optional<int[]> status(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String s = text.get();
        Matcher matcher = STATUS.matcher(s);
        if (!matcher.matches()) {
            value.error(YamlValue.quote(s) + " (" + STATUS_EXPECTED + ")");
            return Optional.empty();
        }
        int min = Integer.parseInt(matcher.group(1));
        int max = matcher.group(2) == null ? min : Integer.parseInt(matcher.group(2));
        if (min < MIN_STATUS || max > MAX_STATUS || max < MIN_STATUS || min > MAX_STATUS) {
            value.error(YamlValue.quote(s) + " (" + STATUS_EXPECTED + ")");
            return Optional.empty();
        }
        if (min > max) {
            value.error(YamlValue.quote(s) + " (the range ends below its start; expected a range like 200-399)");
            return Optional.empty();
        }
        return Optional.of(new int[] {min, max});
    }

    private static Optional<String> host(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isPresent() && !Addresses.HOSTNAME.matcher(text.get()).matches()) {
            value.error(YamlValue.quote(text.get()) + " (expected a host name like app.internal)");
            return Optional.empty();
        }
        return text;
    }

    /** {@code passive} of {@code pool}. */
    static PassiveConfig passive(YamlMapping pool) {
        PassiveConfig d = PassiveConfig.DEFAULTS;
        Optional<YamlMapping> found = pool.get("passive").flatMap(v -> v.mapping(PASSIVE_KEYS));
        if (found.isEmpty()) {
            return d;
        }
        int failures = found.get().integer("consecutive-failures", 0, MAX_CONSECUTIVE_FAILURES,
                d.consecutiveFailures());
        Duration ejection = found.get().duration("ejection", POSITIVE, MAX_EJECTION, UP_TO_1H, d.ejection());
        return new PassiveConfig(failures, ejection);
    }

    /** {@code slow-start} of {@code pool}; zero when absent. */
    static Duration slowStart(YamlMapping pool) {
        return pool.duration("slow-start", Duration.ZERO, MAX_SLOW_START, "0 to 1h", Duration.ZERO);
    }

    /** {@code drain} of {@code pool}. */
    static DrainConfig drain(YamlMapping pool) {
        DrainConfig d = DrainConfig.DEFAULTS;
        Optional<YamlMapping> found = pool.get("drain").flatMap(v -> v.mapping(DRAIN_KEYS));
        if (found.isEmpty()) {
            return d;
        }
        Duration deadline = found.get().duration("deadline", POSITIVE, MAX_DRAIN_DEADLINE,
                "more than 0 and at most 168h; leave deadline out for none", d.deadline());
        double closeRate = found.get().get("close-rate").flatMap(HealthBinder::closeRate).orElse(d.closeRate());
        return new DrainConfig(deadline, closeRate);
    }

    /** Connections per second: {@code 100} or {@code 100/s}. */
    private static Optional<Double> closeRate(YamlValue value) {
        Optional<String> text = value.text().map(String::trim);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String s = text.get();
        String range = "1.." + MAX_CLOSE_RATE;
        Matcher matcher = CLOSE_RATE.matcher(s);
        if (!matcher.matches()) {
            value.error(YamlValue.quote(s) + " (expected connections per second like 100 or 100/s, " + range + ")");
            return Optional.empty();
        }
        String digits = matcher.group(1);
        // Beyond 9 digits the number is out of range anyway; this keeps the parse from overflowing.
        long rate = digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (rate < 1 || rate > MAX_CLOSE_RATE) {
            value.error(YamlValue.abbreviate(s) + " (expected " + range + ")");
            return Optional.empty();
        }
        return Optional.of((double) rate);
    }
}
