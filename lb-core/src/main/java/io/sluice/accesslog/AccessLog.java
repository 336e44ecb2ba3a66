package io.sluice.accesslog;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per closed client connection, on the logger {@value #LOGGER_NAME}.
 *
 * <p>A separate logger, so operators can route it to its own file or drop it in the logging
 * config without touching the daemon's own log. The line is built only when that logger is
 * enabled at INFO.
 *
 * <p>Threads: {@link #log} on the event loop that closes the connection; it builds the line there
 * and hands it to logback (the default configuration queues it for a writer thread,
 * io.sluice.logging.BatchingAppender).
 */
public final class AccessLog {

    /** The logger name to route in the logging configuration. */
    public static final String LOGGER_NAME = "sluice.access";

    private static final Logger log = LoggerFactory.getLogger(LOGGER_NAME);
    /** Enough for a typical line (about 200 characters) without growing the builder. */
    private static final int LINE_CAPACITY = 320;
    /** Shared by every event loop: one cached second (see {@link InstantText}). */
    private static final InstantText TIME = new InstantText();

    /** What is known about a connection when it closes. Nullable fields are omitted from the line. */
    public record Entry(
            Instant time,
            String listener,
            String client,
            String serverName,
            String pool,
            String backend,
            long bytesUp,
            long bytesDown,
            long durationMillis,
            String closeReason,
            String tlsRefusal) {}

    /** Whether lines are written; callers skip building the entry when not (it costs a few allocations). */
    public boolean enabled() {
        return log.isInfoEnabled();
    }

    public void log(Entry e) {
        if (!log.isInfoEnabled()) {
            return;
        }
        log.info(toJson(e));
    }

    /**
     * The JSON line for {@code e}; field order is stable for people who grep. Byte for byte what
     * Jackson's generator and {@code Instant.toString} printed before issue 13 (tests compare them),
     * built into one builder without either: see {@link JsonText} and {@link InstantText}.
     */
    public static String toJson(Entry e) {
        StringBuilder out = new StringBuilder(LINE_CAPACITY);
        out.append("{\"time\":\"");
        TIME.append(out, e.time());
        out.append('"');
        JsonText.field(out, "listener", e.listener());
        JsonText.field(out, "client", e.client());
        if (e.serverName() != null) {
            JsonText.field(out, "sni", e.serverName());
        }
        if (e.pool() != null) {
            JsonText.field(out, "pool", e.pool());
        }
        if (e.backend() != null) {
            JsonText.field(out, "backend", e.backend());
        }
        JsonText.field(out, "bytes_up", e.bytesUp());
        JsonText.field(out, "bytes_down", e.bytesDown());
        JsonText.field(out, "duration_ms", e.durationMillis());
        JsonText.field(out, "close_reason", e.closeReason());
        if (e.tlsRefusal() != null) {
            JsonText.field(out, "tls_refusal", e.tlsRefusal());
        }
        return out.append('}').toString();
    }
}
