package io.sluice.logging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchingAppenderTest {

    /** A context of its own, with the MDC adapter SLF4J's provider would give the real one. */
    private static LoggerContext newContext() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        return context;
    }

    @Test
    void linesFromSeveralThreadsArriveInOrderPerThread() throws Exception {
        LoggerContext context = newContext();
        ListAppender<ILoggingEvent> sink = new ListAppender<>();
        sink.setContext(context);
        sink.start();
        BatchingAppender batching = new BatchingAppender();
        batching.setContext(context);
        batching.setPeriodMillis(5);
        batching.addAppender(sink);
        batching.start();
        Logger logger = context.getLogger("sluice.access");
        logger.setAdditive(false);
        logger.addAppender(batching);
        try {
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                int id = t;
                threads[t] = new Thread(() -> IntStream.range(0, 500).forEach(i -> logger.info("t{} {}", id, i)));
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.list.size() == 2000);
            for (int t = 0; t < threads.length; t++) {
                String prefix = "t" + t + " ";
                List<String> mine = sink.list.stream().map(ILoggingEvent::getFormattedMessage)
                        .filter(m -> m.startsWith(prefix)).collect(Collectors.toList());
                assertEquals(IntStream.range(0, 500).mapToObj(i -> prefix + i).collect(Collectors.toList()), mine);
            }
        } finally {
            context.stop();
        }
    }

    @Test
    void stopWritesWhatIsQueued() {
        LoggerContext context = newContext();
        ListAppender<ILoggingEvent> sink = new ListAppender<>();
        sink.setContext(context);
        sink.start();
        BatchingAppender batching = new BatchingAppender();
        batching.setContext(context);
        batching.setPeriodMillis(60_000); // the writer sleeps: only stop() makes it write
        batching.addAppender(sink);
        batching.start();
        Logger logger = context.getLogger("sluice.access");
        logger.addAppender(batching);
        for (int i = 0; i < 100; i++) {
            logger.info("line {}", i);
        }
        batching.stop();
        assertEquals(100, sink.list.size());
        assertEquals("line 99", sink.list.get(99).getFormattedMessage());
    }

    /** The shape conf/logback.xml uses: Joran sets the properties and attaches the appender-ref. */
    @Test
    void configurableFromALogbackFile() throws Exception {
        String xml = "<configuration>"
                + "<appender name='SINK' class='ch.qos.logback.core.read.ListAppender'/>"
                + "<appender name='ACCESS' class='io.sluice.logging.BatchingAppender'>"
                + "<queueSize>128</queueSize><periodMillis>5</periodMillis><appender-ref ref='SINK'/>"
                + "</appender>"
                + "<logger name='sluice.access' level='INFO' additivity='false'><appender-ref ref='ACCESS'/></logger>"
                + "</configuration>";
        LoggerContext context = newContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        try {
            List<Status> errors = context.getStatusManager().getCopyOfStatusList().stream()
                    .filter(s -> s.getLevel() >= Status.WARN).collect(Collectors.toList());
            assertTrue(errors.isEmpty(), errors.toString());
            Logger logger = context.getLogger("sluice.access");
            assertEquals(Level.INFO, logger.getLevel());
            BatchingAppender batching = (BatchingAppender) logger.getAppender("ACCESS");
            @SuppressWarnings("unchecked")
            ListAppender<ILoggingEvent> sink = (ListAppender<ILoggingEvent>) batching.getAppender("SINK");
            logger.info("{\"listener\":\"web\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> sink.list.size() == 1);
            assertEquals("{\"listener\":\"web\"}", sink.list.get(0).getFormattedMessage());
        } finally {
            context.stop();
        }
    }
}
