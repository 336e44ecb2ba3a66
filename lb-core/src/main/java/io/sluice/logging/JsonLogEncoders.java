package io.sluice.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.encoder.Encoder;
import net.logstash.logback.composite.loggingevent.KeyValuePairsJsonProvider;
import net.logstash.logback.composite.loggingevent.LogLevelJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggerNameJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventJsonProviders;
import net.logstash.logback.composite.loggingevent.LoggingEventThreadNameJsonProvider;
import net.logstash.logback.composite.loggingevent.MessageJsonProvider;
import net.logstash.logback.composite.loggingevent.StackTraceJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;

/**
 * The daemon log as one JSON object per line, built from logstash-logback-encoder's field providers:
 * {@code time} (UTC, ISO-8601), {@code level}, {@code logger}, {@code thread}, {@code message} (the
 * formatted text), {@code arguments} (the message's placeholders' values, see
 * {@link PositionalArgumentsJsonProvider}), any SLF4J key-value pairs
 * ({@code log.atInfo().addKeyValue("signal", "TERM")}) as fields of their own, and
 * {@code stack_trace} when an exception is logged.
 *
 * <p>Why logstash-logback-encoder and not Logback's own JsonEncoder: Logback's writes the time as
 * epoch milliseconds, the message unformatted beside a list of arguments as strings, key-value
 * pairs as a list of one-entry objects, and its field names cannot be changed; with this library
 * every field is named as aggregators expect and key-value pairs become plain fields.
 *
 * <p>A separate class so that a daemon logging text never loads the library's classes.
 */
final class JsonLogEncoders {

    private JsonLogEncoders() {}

    /** A started encoder of daemon log events. */
    static Encoder<ILoggingEvent> daemonLog(Context context) {
        LoggingEventJsonProviders providers = new LoggingEventJsonProviders();
        LoggingEventFormattedTimestampJsonProvider time = new LoggingEventFormattedTimestampJsonProvider();
        time.setFieldName("time");
        time.setTimeZone("UTC");
        // Milliseconds, as the text lines and the access log's "time" have them (the default would print nanoseconds).
        time.setPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
        providers.addTimestamp(time);
        LogLevelJsonProvider level = new LogLevelJsonProvider();
        level.setFieldName("level");
        providers.addLogLevel(level);
        LoggerNameJsonProvider logger = new LoggerNameJsonProvider();
        logger.setFieldName("logger");
        providers.addLoggerName(logger);
        LoggingEventThreadNameJsonProvider thread = new LoggingEventThreadNameJsonProvider();
        thread.setFieldName("thread");
        providers.addThreadName(thread);
        MessageJsonProvider message = new MessageJsonProvider();
        message.setFieldName("message");
        providers.addMessage(message);
        providers.addProvider(new PositionalArgumentsJsonProvider());
        providers.addKeyValuePairs(new KeyValuePairsJsonProvider());
        StackTraceJsonProvider stackTrace = new StackTraceJsonProvider();
        stackTrace.setFieldName("stack_trace");
        providers.addStackTrace(stackTrace);

        LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
        encoder.setContext(context);
        encoder.setProviders(providers);
        encoder.start();
        return encoder;
    }
}
