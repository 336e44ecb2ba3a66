package io.sluice.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per closed client connection, on the logger {@value #LOGGER_NAME}.
 *
 * <p>A separate logger, so operators can route it to its own file or drop it in the logging
 * config without touching the daemon's own log. The line is built only when that logger is
 * enabled at INFO.
 */
public final class AccessLog {

    /** The logger name to route in the logging configuration. */
    public static final String LOGGER_NAME = "sluice.access";

    private static final Logger log = LoggerFactory.getLogger(LOGGER_NAME);
    private static final JsonFactory json = new JsonFactory();

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

    /** True for the log of connections that are not clients' (the start-up warm-up): it writes nothing. */
    private final boolean muted;

    /** The access log of client connections. */
    public AccessLog() {
        this(false);
    }

    private AccessLog(boolean muted) {
        this.muted = muted;
    }

    /** An access log that writes nothing, for the daemon's own synthetic connections (the warm-up). */
    public static AccessLog muted() {
        return new AccessLog(true);
    }

    /** Whether lines are written; callers skip building the entry when not (it costs a few allocations). */
    public boolean enabled() {
        return !muted && log.isInfoEnabled();
    }

    public void log(Entry e) {
        if (!enabled()) {
            return;
        }
        log.info(toJson(e));
    }

    /** The JSON line for {@code e}; field order is stable for people who grep. */
    public static String toJson(Entry e) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", e.time().toString());
            g.writeStringField("listener", e.listener());
            g.writeStringField("client", e.client());
            if (e.serverName() != null) {
                g.writeStringField("sni", e.serverName());
            }
            if (e.pool() != null) {
                g.writeStringField("pool", e.pool());
            }
            if (e.backend() != null) {
                g.writeStringField("backend", e.backend());
            }
            g.writeNumberField("bytes_up", e.bytesUp());
            g.writeNumberField("bytes_down", e.bytesDown());
            g.writeNumberField("duration_ms", e.durationMillis());
            g.writeStringField("close_reason", e.closeReason());
            if (e.tlsRefusal() != null) {
                g.writeStringField("tls_refusal", e.tlsRefusal());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a StringWriter does not fail
        }
        return out.toString();
    }
}
