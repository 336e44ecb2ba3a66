package io.sluice.handover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The handover socket's wire protocol v1 as a stranger speaks it, written from the contract, not
 * from the daemon's code: a frame is a 4-byte big-endian length L (of what follows), a type byte,
 * and L-1 body bytes. Types: 1 HELLO, 2 WELCOME, 3 REFUSED.
 */
final class HandoverWire {

    static final int HELLO = 1;
    static final int WELCOME = 2;
    static final int REFUSED = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private HandoverWire() {}

    record Frame(int type, byte[] body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("frame body is not JSON: " + new String(body, StandardCharsets.UTF_8), e);
            }
        }

        @Override
        public String toString() {
            return "frame type " + type + " " + new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What the daemon did with one connection: the bytes it sent and whether, and when, it closed. */
    record Answer(byte[] bytes, boolean closed, long closedAfterMillis, String error) {
        /** The frames in {@code bytes}; an AssertionError if they do not parse as whole frames. */
        List<Frame> frames() {
            List<Frame> frames = new ArrayList<>();
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                if (b.remaining() < 5) {
                    throw new AssertionError("a partial frame header: " + this);
                }
                int length = b.getInt();
                if (length < 1 || length - 1 > b.remaining() - 1) {
                    throw new AssertionError("frame length " + length + " with " + b.remaining() + " bytes left: " + this);
                }
                int type = b.get() & 0xff;
                byte[] body = new byte[length - 1];
                b.get(body);
                frames.add(new Frame(type, body));
            }
            return frames;
        }

        @Override
        public String toString() {
            return bytes.length + " bytes back (" + new String(bytes, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", ".")
                    + "), " + (closed ? "closed after " + closedAfterMillis + " ms" : "not closed")
                    + (error == null ? "" : ", " + error);
        }
    }

    static byte[] frame(int type, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).putInt(body.length + 1).put((byte) type).put(body).array();
    }

    static byte[] hello(String protocol, int version, long pid) {
        String json = "{\"protocol\":\"" + protocol + "\",\"version\":" + version + ",\"pid\":" + pid + "}";
        return frame(HELLO, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Connects to the UNIX socket, sends {@code send} (may be empty), then reads until the daemon
     * closes or {@code limit} passes. A reset counts as closed. Bounded: at most 64 KiB kept.
     */
    static Answer exchange(Path socket, byte[] send, Duration limit) throws IOException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(send);
            String error = null;
            try {
                while (out.hasRemaining() && System.nanoTime() < deadline) {
                    ch.write(out); // blocking; the daemon may close early, which ends in an IOException
                }
            } catch (IOException e) {
                error = "write: " + e.getMessage();
            }
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            ByteBuffer in = ByteBuffer.allocate(8192);
            for (int rounds = 0; rounds < 100_000; rounds++) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return new Answer(got.toByteArray(), false, -1, error);
                }
                selector.select(left);
                selector.selectedKeys().clear();
                in.clear();
                int n;
                try {
                    n = ch.read(in);
                } catch (IOException e) {
                    return new Answer(got.toByteArray(), true, (System.nanoTime() - start) / 1_000_000,
                            "read: " + e.getMessage());
                }
                if (n < 0) {
                    return new Answer(got.toByteArray(), true, (System.nanoTime() - start) / 1_000_000, error);
                }
                if (got.size() < 65536) {
                    got.write(in.array(), 0, n);
                }
            }
            return new Answer(got.toByteArray(), false, -1, "too many reads");
        }
    }
}
