package io.sluice.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.joran.spi.ConsoleTarget;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.sluice.accesslog.AccessLog;

/**
 * The daemon's logging when no logback file is given: everything to stdout (systemd's journal
 * collects it), the daemon's own lines as text or JSON ({@link LogFormat}), the access log
 * ({@value AccessLog#LOGGER_NAME}) as bare JSON lines through a queue ({@code -Dsluice.access-log=off}
 * drops it), Netty at WARN, the ZooKeeper and Curator clients to one line per state change
 * ({@link RegistryClientLogFilter}).
 *
 * <p>Why in code and not a logback.xml in the jar: parsing XML costs logback about half a second
 * of CPU at start (the XML parser's and Joran's classes), most of the daemon's start-up time.
 * An operator's own file ({@code -Dlogback.configurationFile=...}, as conf/logback.xml is used)
 * and a {@code logback-test.xml} on the class path still win: this configurator steps aside for
 * them.
 *
 * <p>Access lines are logged on the event loops, once per closed connection: they must never wait
 * for stdout (a slow journal, a full pipe). The queue ({@link BatchingAppender}) hands them to one
 * writer thread without waking it per line, and drops lines rather than stall relaying when it is full.
 * The writer writes each batch to stdout in one {@code write(2)} ({@link BatchOutputStream}), not
 * one per line as a ConsoleAppender would.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class DefaultLogging extends ContextAwareBase implements Configurator {

    /**
     * The most access-log bytes gathered before a write: about 300 lines, so a 50 ms batch takes one
     * or two writes up to some 10 000 connections a second.
     */
    private static final int STDOUT_BATCH_BYTES = 64 * 1024;

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (operatorFileGiven()) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        // Text or JSON as SLUICE_LOG_FORMAT says (DaemonLogEncoder); the access lines below are JSON already.
        DaemonLogEncoder daemonLog = new DaemonLogEncoder();
        daemonLog.setContext(context);
        daemonLog.start();
        ConsoleAppender<ILoggingEvent> stdout = console(context, "STDOUT", daemonLog);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stdout);

        BatchingAppender access = new BatchingAppender(); // drops lines when full, never waits or wakes
        access.setContext(context);
        access.setName("ACCESS");
        access.setQueueSize(16384);
        access.addAppender(batchedStdout(context, "ACCESS_STDOUT", pattern(context, "%msg%n")));
        access.start();
        // The lines of the connections a stop closes are the last ones queued: write them at exit.
        Runtime.getRuntime().addShutdownHook(new Thread(access::stop, "sluice-access-log-flush"));
        Logger accessLogger = context.getLogger(AccessLog.LOGGER_NAME);
        accessLogger.setLevel(accessLogOn() ? Level.INFO : Level.OFF);
        accessLogger.setAdditive(false);
        accessLogger.addAppender(access);

        context.getLogger("io.netty").setLevel(Level.WARN);
        RegistryClientLogFilter registryClients = new RegistryClientLogFilter();
        registryClients.setContext(context);
        registryClients.start();
        context.addTurboFilter(registryClients);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** {@code -Dsluice.access-log=off} drops the access log without writing a logback file. */
    private static boolean accessLogOn() {
        return !"off".equalsIgnoreCase(System.getProperty("sluice.access-log", "on").trim());
    }

    private static boolean operatorFileGiven() {
        if (System.getProperty("logback.configurationFile") != null) {
            return true;
        }
        ClassLoader loader = DefaultLogging.class.getClassLoader();
        return loader.getResource("logback-test.xml") != null || loader.getResource("logback.xml") != null;
    }

    private static PatternLayoutEncoder pattern(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    /**
     * Stdout written a batch at a time: the lines of one BatchingAppender pass go out in one
     * {@code write(2)} (logback's ConsoleAppender makes one per line: System.out flushes every write).
     */
    private static OutputStreamAppender<ILoggingEvent> batchedStdout(LoggerContext context, String name, Encoder<ILoggingEvent> encoder) {
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setEncoder(encoder);
        appender.setImmediateFlush(false); // BatchingAppender flushes after each batch
        appender.setOutputStream(new BatchOutputStream(ConsoleTarget.SystemOut.getStream(), STDOUT_BATCH_BYTES));
        appender.start();
        return appender;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name, Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}
