package io.sluice.logging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchOutputStreamTest {

    /** Records every write it gets as one chunk, as write(2) calls would land. */
    static final class Writes extends OutputStream {
        final List<byte[]> chunks = new ArrayList<>();
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        int flushes;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            byte[] chunk = new byte[len];
            System.arraycopy(b, off, chunk, 0, len);
            chunks.add(chunk);
            all.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }
    }

    @Test
    void writesNothingUntilFlushedThenEverythingInOneWrite() throws IOException {
        Writes target = new Writes();
        BatchOutputStream out = new BatchOutputStream(target, 4096);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            byte[] line = ("{\"line\":" + i + "}\n").getBytes(StandardCharsets.UTF_8);
            out.write(line);
            expected.write(line);
        }
        assertEquals(0, target.chunks.size());
        out.flush();
        assertEquals(1, target.chunks.size());
        assertEquals(1, target.flushes);
        assertArrayEquals(expected.toByteArray(), target.all.toByteArray());
        out.flush(); // nothing gathered: no empty write
        assertEquals(1, target.chunks.size());
    }

    @Test
    void aLineIsNeverSplitBetweenTwoWrites() throws IOException {
        Writes target = new Writes();
        BatchOutputStream out = new BatchOutputStream(target, 100);
        SplittableRandom random = new SplittableRandom(3);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 2000; i++) {
            // Mostly lines that fit, some longer than the whole buffer.
            byte[] line = ("x".repeat(random.nextInt(random.nextInt(10) == 0 ? 300 : 90)) + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(line);
            expected.write(line);
            if (random.nextInt(50) == 0) {
                out.flush();
            }
        }
        out.close();
        assertArrayEquals(expected.toByteArray(), target.all.toByteArray());
        assertTrue(target.chunks.size() < 2000, "lines were batched: " + target.chunks.size() + " writes");
        for (byte[] chunk : target.chunks) {
            assertTrue(chunk.length > 0 && chunk[chunk.length - 1] == '\n', "a write ends at a line's end");
            assertTrue(chunk.length <= 100 || new String(chunk, StandardCharsets.UTF_8).indexOf('\n') == chunk.length - 1,
                    "only a single line longer than the buffer goes out bigger than the buffer");
        }
    }
}
