package io.sluice.logging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchingAppenderTest {

    private static final AtomicInteger NAMES = new AtomicInteger();

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
        LoggerContext context = configured(xml);
        try {
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

    /** BatchingAppender feeding a stdout-like stream the way DefaultLogging sets it up. */
    private static BatchingAppender batchedInto(LoggerContext context, BatchOutputStreamTest.Writes target, int periodMillis) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> out = new OutputStreamAppender<>();
        out.setContext(context);
        out.setName("OUT");
        out.setEncoder(encoder);
        out.setImmediateFlush(false);
        out.setOutputStream(new BatchOutputStream(target, 64 * 1024));
        out.start();
        BatchingAppender batching = new BatchingAppender();
        batching.setContext(context);
        batching.setName("ACCESS-" + NAMES.incrementAndGet()); // names its writer thread
        batching.setPeriodMillis(periodMillis);
        batching.addAppender(out);
        batching.start();
        Logger logger = context.getLogger("sluice.access");
        logger.setAdditive(false);
        logger.addAppender(batching);
        return batching;
    }

    /** Access lines {@code {"line":i}} for i from {@code from} to {@code to} (excluded), as the relay logs them. */
    private static void logJsonLines(LoggerContext context, int from, int to) {
        Logger logger = context.getLogger("sluice.access");
        for (int i = from; i < to; i++) {
            logger.info("{\"line\":" + i + "}");
        }
    }

    private static String expectedLines(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "{\"line\":" + i + "}\n").collect(Collectors.joining());
    }

    /** Without a flush at the end of each batch the lines would sit in the buffer until stop. */
    @Test
    void anAppenderWithoutImmediateFlushGetsOneWritePerBatchWhileRunning() throws Exception {
        LoggerContext context = newContext();
        BatchOutputStreamTest.Writes target = new BatchOutputStreamTest.Writes();
        BatchingAppender batching = batchedInto(context, target, 60_000);
        try {
            logJsonLines(context, 0, 300);
            // The writer is parked for a minute: wake it as a period ending would.
            LockSupport.unpark(writerOf(batching));
            await().atMost(Duration.ofSeconds(10)).until(() -> target.all.size() == expectedLines(0, 300).length());
            assertEquals(expectedLines(0, 300), target.all.toString(StandardCharsets.UTF_8));
            // One write for the batch; two if the writer's first pass, as it started, caught the first lines.
            assertTrue(target.chunks.size() <= 2, target.chunks.size() + " writes");
        } finally {
            batching.stop();
        }
    }

    @Test
    void linesAppearWithinAPeriodWithoutStop() throws Exception {
        LoggerContext context = newContext();
        BatchOutputStreamTest.Writes target = new BatchOutputStreamTest.Writes();
        BatchingAppender batching = batchedInto(context, target, 5);
        try {
            logJsonLines(context, 0, 1000);
            await().atMost(Duration.ofSeconds(10)).until(() -> target.all.size() == expectedLines(0, 1000).length());
            assertEquals(expectedLines(0, 1000), target.all.toString(StandardCharsets.UTF_8));
        } finally {
            batching.stop();
        }
    }

    @Test
    void stopWritesEveryQueuedLineThroughTheBuffer() {
        LoggerContext context = newContext();
        BatchOutputStreamTest.Writes target = new BatchOutputStreamTest.Writes();
        BatchingAppender batching = batchedInto(context, target, 60_000);
        logJsonLines(context, 0, 5000);
        batching.stop();
        assertEquals(expectedLines(0, 5000), target.all.toString(StandardCharsets.UTF_8));
        for (byte[] chunk : target.chunks) {
            assertEquals('\n', chunk[chunk.length - 1], "whole lines per write");
        }
    }

    /**
     * The shipped conf/logback.xml, its file path pointed at a temporary file: lines reach the file
     * while the appender runs (a flush per batch, immediateFlush being off there), and the last
     * ones, still queued or buffered, at stop.
     */
    @Test
    void theShippedLogbackFileWritesTheAccessFileInBatches(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        String xml = Files.readString(Path.of("../conf/logback.xml"))
                .replace("/var/log/sluice/access.log", file.toString())
                .replace("<periodMillis>50</periodMillis>", "<periodMillis>5</periodMillis>")
                .replace("<shutdownHook/>", "");
        assertTrue(xml.contains(file.toString()) && xml.contains("<immediateFlush>false</immediateFlush>"), xml);
        LoggerContext context = configured(xml);
        try {
            logJsonLines(context, 0, 500);
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(file) == expectedLines(0, 500).length());
            assertEquals(expectedLines(0, 500), Files.readString(file));
            logJsonLines(context, 500, 1000);
        } finally {
            context.stop();
        }
        assertEquals(expectedLines(0, 1000), Files.readString(file));
    }

    /** A context configured from the logback file {@code xml}, which must have raised no warning or error. */
    private static LoggerContext configured(String xml) throws Exception {
        LoggerContext context = newContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        List<Status> errors = context.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getLevel() >= Status.WARN).collect(Collectors.toList());
        assertTrue(errors.isEmpty(), errors.toString());
        return context;
    }

    private static Thread writerOf(BatchingAppender batching) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("sluice-log-" + batching.getName()))
                .findFirst().orElseThrow();
    }
}
