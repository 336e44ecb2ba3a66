package io.sluice.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.sluice.accesslog.AccessLog;
import io.sluice.accesslog.JacksonAccessLine;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one access-log line costs the event loop that closes the connection, piece by piece: the
 * whole line as {@link AccessLog#toJson} builds it and as it was built with Jackson before issue 13,
 * the timestamp alone as it was printed then ({@code Instant.toString}), and the logback event the
 * line travels in
 * ({@code LoggingEvent} built and prepared for the writer thread, as {@code BatchingAppender.append}
 * does). The entry is a typical proxied connection: every field but {@code tls_refusal}.
 *
 * <p>The clock moves on by a millisecond per call so a per-second cache of the timestamp is hit as
 * often as at about 1000 connections per second per event loop, no more.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessLogBenchmark {

    private static final Instant START = Instant.parse("2026-12-07T16:05:41.225587821Z");

    private Logger logger;
    private String line;
    private long tick;

    @Setup
    public void setUp() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        logger = context.getLogger(AccessLog.LOGGER_NAME);
        logger.setLevel(Level.INFO);
        line = AccessLog.toJson(entry(START));
    }

    private Instant nextTime() {
        tick++;
        return START.plusMillis(tick);
    }

    private static AccessLog.Entry entry(Instant time) {
        return new AccessLog.Entry(time, "web", "127.0.0.1:40338", "a.bench.test", "web", "nginx-1",
                78, 189, 3, "client-close", null);
    }

    /** The line as issue 13 builds it: one StringBuilder, the time from a per-second cache. */
    @Benchmark
    public String line() {
        return AccessLog.toJson(entry(nextTime()));
    }

    /** The line as it was built before issue 13 (the same bytes: AccessLogLineTest). */
    @Benchmark
    public String lineJackson() throws IOException {
        return JacksonAccessLine.of(entry(nextTime()));
    }

    @Benchmark
    public String instantToString() {
        return nextTime().toString();
    }

    @Benchmark
    public LoggingEvent loggingEvent() {
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.INFO, line, null, null);
        event.prepareForDeferredProcessing();
        return event;
    }
}
