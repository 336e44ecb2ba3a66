package io.sluice.logging;

import java.util.Locale;

/**
 * How the daemon log (not the access log, which is JSON already) is written: {@link #TEXT} lines
 * for a person reading the journal, or {@link #JSON} objects for a log aggregator.
 *
 * <p>Chosen by the environment variable {@value #ENV} (or the system property {@value #PROPERTY},
 * which wins), because logging is set up before the command line is parsed: an environment
 * variable reaches it from a shell, the systemd unit ({@code Environment=}) and a new daemon an
 * upgrade starts alike. Immutable; read by whichever thread configures logging.
 */
public enum LogFormat {
    TEXT,
    JSON;

    public static final String ENV = "SLUICE_LOG_FORMAT";
    public static final String PROPERTY = "sluice.log-format";

    /** The format this process was asked for: the property, else the variable, else text. */
    public static LogFormat configured() {
        String property = System.getProperty(PROPERTY);
        if (property != null) {
            return parse(property, "-D" + PROPERTY);
        }
        String env = System.getenv(ENV);
        return env == null ? TEXT : parse(env, ENV);
    }

    /**
     * {@code text} or {@code json}, any case; an empty value is text.
     *
     * @throws IllegalArgumentException for anything else, naming {@code source} and the value
     */
    static LogFormat parse(String value, String source) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "", "text":
                return TEXT;
            case "json":
                return JSON;
            default:
                throw new IllegalArgumentException(source + "=" + value + " is not text or json");
        }
    }
}
