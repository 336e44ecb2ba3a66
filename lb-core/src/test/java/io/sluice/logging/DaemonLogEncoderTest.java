package io.sluice.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The encoder's two formats, and how the JSON one writes arguments of each kind and an exception. */
class DaemonLogEncoderTest {

    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("io.sluice.backend.Test");

    private DaemonLogEncoder encoder(String format) {
        DaemonLogEncoder e = new DaemonLogEncoder();
        e.setContext(context);
        e.setFormat(format);
        e.start();
        return e;
    }

    @Test
    void jsonArgumentsKeepTheirTypesAndAnythingElseIsItsText() throws Exception {
        Object address = new Object() {
            @Override
            public String toString() {
                return "127.0.0.1:9001";
            }
        };
        LoggingEvent event = new LoggingEvent("x", logger, Level.WARN, "backend {} at {} weight {} up {} ratio {} {}",
                null, new Object[] {"app-1", address, 50, true, 0.5, null});
        JsonNode json = new ObjectMapper().readTree(new String(encoder("json").encode(event), StandardCharsets.UTF_8));
        assertEquals("backend app-1 at 127.0.0.1:9001 weight 50 up true ratio 0.5 null", json.path("message").asText());
        assertEquals("WARN", json.path("level").asText());
        assertEquals("io.sluice.backend.Test", json.path("logger").asText());
        JsonNode args = json.path("arguments");
        assertEquals("app-1", args.get(0).asText());
        assertEquals("127.0.0.1:9001", args.get(1).asText());
        assertTrue(args.get(2).isIntegralNumber() && args.get(2).asInt() == 50, args.toString());
        assertTrue(args.get(3).isBoolean(), args.toString());
        assertTrue(args.get(4).isDouble(), args.toString());
        assertTrue(args.get(5).isNull(), args.toString());
    }

    @Test
    void anExceptionIsAStackTraceFieldNotAnArgument() throws Exception {
        LoggingEvent event = new LoggingEvent("x", logger, Level.ERROR, "cannot do {}", new IllegalStateException("boom"),
                new Object[] {"it"});
        JsonNode json = new ObjectMapper().readTree(new String(encoder("json").encode(event), StandardCharsets.UTF_8));
        assertEquals(1, json.path("arguments").size(), json.toString());
        assertTrue(json.path("stack_trace").asText().startsWith("java.lang.IllegalStateException: boom"), json.toString());
    }

    @Test
    void textIsTheSameLineAsWithoutTheEncoder() {
        LoggingEvent event = new LoggingEvent("x", logger, Level.INFO, "pool {} reloaded", null, new Object[] {"web"});
        String line = new String(encoder("text").encode(event), StandardCharsets.UTF_8);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  \\[.*] io\\.sluice\\.backend\\.Test - pool web reloaded\\R"), line);
    }

    @Test
    void anUnknownFormatIsTextAndTheFirstLineSaysSo() {
        DaemonLogEncoder e = encoder("xml");
        assertEquals(LogFormat.TEXT, e.format());
        assertEquals("sluice: <format>=xml is not text or json; logging as text\n",
                new String(e.headerBytes(), StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("xml", "SLUICE_LOG_FORMAT"));
        assertEquals(LogFormat.JSON, LogFormat.parse(" JSON ", "SLUICE_LOG_FORMAT"));
        assertEquals(LogFormat.TEXT, LogFormat.parse("", "SLUICE_LOG_FORMAT"));
    }
}
