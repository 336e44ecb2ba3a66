package io.sluice.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Every exception object constructed in this JVM while it runs, with its thread, recorded by JFR
 * ({@code jdk.JavaExceptionThrow}, which counts constructions, caught or not). It proves it records:
 * {@link #stop} fails unless the probe exception built on the test's thread by {@link #start} is seen.
 */
public final class ExceptionRecording implements AutoCloseable {

    private static final String PROBE = "exception-recording-probe";

    private final Recording recording = new Recording();
    private final Path file;

    private ExceptionRecording() throws IOException {
        this.file = Files.createTempFile("exceptions", ".jfr");
        recording.enable("jdk.JavaExceptionThrow").withoutStackTrace();
    }

    public static ExceptionRecording start() throws IOException {
        ExceptionRecording r = new ExceptionRecording();
        r.recording.start();
        IllegalStateException probe = new IllegalStateException(PROBE);
        if (probe.getMessage().isEmpty()) {
            throw probe; // never: keeps the probe from being optimised away
        }
        return r;
    }

    /** One exception built: the simple name of its class and the name of its thread. */
    public record Thrown(String type, String thread) {

        /**
         * One of the exceptions, with a stack trace, that Netty 4.2.18's epoll paths built per
         * proxied connection: a failed {@code epoll_ctl} or {@code getsockopt} ({@code NativeIoException}),
         * {@code shutdown(SHUT_RD)} failing ENOTCONN, {@code shutdownOutput()} failing queued writes,
         * or a closed descriptor used. (Class initialisation, the leak detector's records and
         * Netty's stackless exceptions are not these.)
         */
        public boolean fromNettyIo() {
            String simple = type.substring(type.lastIndexOf('$') + 1); // Errors$NativeIoException
            return List.of("NativeIoException", "NotYetConnectedException", "ChannelOutputShutdownException",
                    "ClosedChannelException", "ChannelException").contains(simple);
        }
    }

    /** Stops recording; the exceptions built on threads whose names start with {@code threadPrefix}. */
    public List<Thrown> stop(String threadPrefix) {
        recording.stop();
        List<Thrown> all = new ArrayList<>();
        boolean probeSeen = false;
        try {
            recording.dump(file);
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                String type = e.getClass("thrownClass").getName();
                RecordedThread t = e.getThread();
                String thread = t == null || t.getJavaName() == null ? "" : t.getJavaName();
                probeSeen |= PROBE.equals(e.getString("message"));
                if (thread.startsWith(threadPrefix)) {
                    all.add(new Thrown(type.substring(type.lastIndexOf('.') + 1), thread));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!probeSeen) {
            throw new AssertionError("JFR recorded no exceptions, not even the probe: the recording does not work here");
        }
        return all;
    }

    @Override
    public void close() throws IOException {
        recording.close();
        Files.deleteIfExists(file);
    }
}
