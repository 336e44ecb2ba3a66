package io.sluice.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import net.logstash.logback.composite.AbstractFieldJsonProvider;

/**
 * Writes the values of a log message's {@code {}} placeholders as the array {@code arguments}:
 * integers and finite decimals as JSON numbers, booleans as booleans, null as null, anything else
 * as its {@code toString()}. For {@code log.info("backend {}/{} weight {}", "web", "app-1", 50)}
 * that is {@code "arguments":["web","app-1",50]}, so an aggregator can filter on a value without
 * parsing the message.
 *
 * <p>Why not the library's ArgumentsJsonProvider: it hands every argument to Jackson's data binding,
 * which turns an arbitrary object into whatever its getters return (an InetSocketAddress would be
 * resolved through DNS) or fails on one without getters; toString() is what the text line shows.
 * A Throwable passed last is not here: Logback takes it out of the arguments for {@code stack_trace}.
 *
 * <p>Thread use: stateless after start; called by the appender's thread.
 */
final class PositionalArgumentsJsonProvider extends AbstractFieldJsonProvider<ILoggingEvent> {

    PositionalArgumentsJsonProvider() {
        setFieldName("arguments");
    }

    @Override
    public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
        Object[] arguments = event.getArgumentArray();
        if (arguments == null || arguments.length == 0) {
            return;
        }
        generator.writeArrayFieldStart(getFieldName());
        for (Object a : arguments) {
            write(generator, a);
        }
        generator.writeEndArray();
    }

    private static void write(JsonGenerator generator, Object a) throws IOException {
        if (a == null) {
            generator.writeNull();
        } else if (a instanceof Integer || a instanceof Long || a instanceof Short || a instanceof Byte) {
            generator.writeNumber(((Number) a).longValue());
        } else if ((a instanceof Double || a instanceof Float) && Double.isFinite(((Number) a).doubleValue())) {
            generator.writeNumber(((Number) a).doubleValue());
        } else if (a instanceof Boolean) {
            generator.writeBoolean((Boolean) a);
        } else {
            generator.writeString(String.valueOf(a));
        }
    }
}
