package io.sluice.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The daemon log's encoder: text lines ({@link DefaultLogging#PATTERN}) or one JSON object per line
 * ({@link JsonLogEncoders}), as {@link LogFormat#configured()} says, unless {@code <format>} is set.
 * {@link DefaultLogging} uses it, and an operator's logback file can too
 * ({@code <encoder class="io.sluice.logging.DaemonLogEncoder"/>}, as conf/logback.xml does), so
 * the one switch works with and without a logback file.
 *
 * <p>Thread use: configured and started once by the thread setting up logging; {@link #encode} is
 * then called by the appender, which serialises its calls.
 */
public final class DaemonLogEncoder extends EncoderBase<ILoggingEvent> {

    private String explicitFormat;
    private LogFormat format;
    private byte[] warning = new byte[0];
    private Encoder<ILoggingEvent> delegate;

    /** {@code text} or {@code json}; when not set, the environment decides ({@link LogFormat}). */
    public void setFormat(String format) {
        this.explicitFormat = format;
    }

    /** The format in use once started. */
    public LogFormat format() {
        return format;
    }

    @Override
    public void start() {
        try {
            format = explicitFormat == null ? LogFormat.configured() : LogFormat.parse(explicitFormat, "<format>");
        } catch (IllegalArgumentException e) {
            // Logging cannot refuse to start the daemon, and a silent fallback would look like a
            // switch that does nothing: the first line of the log says what was wrong.
            format = LogFormat.TEXT;
            warning = ("sluice: " + e.getMessage() + "; logging as text\n").getBytes(StandardCharsets.UTF_8);
        }
        delegate = format == LogFormat.JSON ? JsonLogEncoders.daemonLog(getContext()) : text();
        super.start();
    }

    private Encoder<ILoggingEvent> text() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(getContext());
        encoder.setPattern(DefaultLogging.PATTERN);
        encoder.start();
        return encoder;
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        byte[] header = delegate.headerBytes();
        if (header == null || header.length == 0) {
            return warning.length == 0 ? header : warning.clone();
        }
        byte[] both = Arrays.copyOf(warning, warning.length + header.length);
        System.arraycopy(header, 0, both, warning.length, header.length);
        return both;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return delegate.encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return delegate.footerBytes();
    }

    @Override
    public String toString() {
        return "DaemonLogEncoder(" + (format == null ? "unset" : format.name().toLowerCase(Locale.ROOT)) + ")";
    }
}
