package io.sluice.accesslog;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sluice.harness.Clients;
import io.sluice.harness.EachRelay;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One JSON line per closed connection, on the separate logger {@code sluice.access}. */
class AccessLogTest extends EachRelay {

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Logger logger;

    @BeforeEach
    void capture() {
        logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER_NAME);
        logger.setLevel(Level.INFO);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void aRelayedConnectionLogsOneLineWithEveryField() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-7");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend))) {
            try (Socket s = Clients.connect(daemon.address(), Clients.loopback(9))) {
                assertEquals("app-7", Clients.readLine(s));
                s.getOutputStream().write("0123456789\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("0123456789", Clients.readLine(s));
                s.shutdownOutput();
                assertEquals(-1, s.getInputStream().read());
            }
            await().until(() -> lines.list.size() == 1);
            Map<String, String> f = parse(lines.list.get(0).getFormattedMessage());
            assertEquals("main", f.get("listener"));
            assertTrue(f.get("client").startsWith("127.0.0.9:"), f.toString());
            assertEquals("main", f.get("pool"));
            assertEquals("app-7", f.get("backend"));
            assertEquals("11", f.get("bytes_up"));
            assertEquals(String.valueOf("app-7\n".length() + 11), f.get("bytes_down"));
            assertEquals("client-close", f.get("close_reason"));
            assertTrue(Long.parseLong(f.get("duration_ms")) >= 0);
            Instant.parse(f.get("time"));
        }
    }

    @Test
    void aRefusedConnectionIsLoggedWithItsReasonAndNoBackend() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend).limits(1, 0))) {
            try (Socket held = Clients.connect(daemon.address())) {
                assertEquals("app", Clients.readLine(held)); // admitted before the second one arrives
                Socket refused = Clients.connect(daemon.address());
                assertEquals(-1, refused.getInputStream().read());
                refused.close();
                await().until(() -> !lines.list.isEmpty());
                Map<String, String> f = parse(lines.list.get(0).getFormattedMessage());
                assertEquals("over-limit", f.get("close_reason"));
                assertFalse(f.containsKey("backend"));
                assertFalse(f.containsKey("pool"));
            }
        }
    }

    @Test
    void fieldsAreEscapedAsJson() throws Exception {
        String line = AccessLog.toJson(new AccessLog.Entry(Instant.EPOCH, "we\"ird\n", "::1", null, null, null, 0, 0, 0, "x", null));
        assertEquals("we\"ird\n", parse(line).get("listener"));
    }

    private static Map<String, String> parse(String json) throws Exception {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                fields.put(name, p.getText());
            }
        }
        return fields;
    }
}
