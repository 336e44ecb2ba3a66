package io.sluice.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;

/**
 * The access-log line as {@link AccessLog} built it with Jackson's generator and
 * {@code Instant.toString} until issue 13, kept unchanged as the reference the new line is compared
 * with byte for byte (AccessLogLineTest) and measured against (AccessLogBenchmark).
 *
 * <p>Thread-safe: Jackson's factory is.
 */
public final class JacksonAccessLine {

    private static final JsonFactory JSON = new JsonFactory();

    private JacksonAccessLine() {}


    /** The line for {@code e}. */
    public static String of(AccessLog.Entry e) throws IOException {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
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
        }
        return out.toString();
    }
}
