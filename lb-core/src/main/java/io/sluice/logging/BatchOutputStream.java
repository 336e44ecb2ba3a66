package io.sluice.logging;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Gathers what an appender writes and passes it on in one {@code write} per {@link #flush()}, so a
 * batch of access lines costs one {@code write(2)} instead of one per line. Each {@code write} call
 * is kept whole (an appender writes one event's bytes per call): when the next one would not fit,
 * what is gathered goes out first, so a line is never split between two writes of the target, and
 * other writers of the same target (the daemon log on stdout) can only land between lines.
 *
 * <p>Used behind an {@code OutputStreamAppender} with {@code immediateFlush} off, fed by
 * {@link BatchingAppender}, which flushes it after each batch: a line waits here at most until the
 * end of the batch it came in.
 *
 * <p>Threads: not thread-safe; the appender calls it under its own lock, and only
 * BatchingAppender's writer thread appends to that appender and flushes it.
 */
final class BatchOutputStream extends OutputStream {

    private final OutputStream target;
    private final byte[] buffer;
    private int count;

    /** @param capacity the most bytes gathered before they are written even without a flush */
    BatchOutputStream(OutputStream target, int capacity) {
        this.target = target;
        this.buffer = new byte[capacity];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > buffer.length - count) {
            drain();
        }
        if (length > buffer.length) {
            target.write(bytes, offset, length); // bigger than the whole buffer: on its own, still whole
            return;
        }
        System.arraycopy(bytes, offset, buffer, count, length);
        count += length;
    }

    @Override
    public void flush() throws IOException {
        drain();
        target.flush();
    }

    @Override
    public void close() throws IOException {
        flush(); // the target (stdout) stays open: others write to it too
    }

    private void drain() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0; // a failed write loses this batch rather than repeat it forever
            target.write(buffer, 0, n);
        }
    }
}
