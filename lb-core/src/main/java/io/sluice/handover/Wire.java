package io.sluice.handover;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The handover protocol's framing: a 4-byte big-endian length (of what follows), a type byte, the
 * body. Bodies are JSON; a BATCH body is a 4-byte JSON length, the JSON, then the connections'
 * pending bytes back to back. Descriptors never travel here: they go over the second (descriptor)
 * connection, in the order the JSON lists them (docs/handover.md).
 */
final class Wire {

    static final String PROTOCOL = "sluice-handover";
    /** Bumped on any change a peer of the previous version would misread; both sides refuse a version they do not speak. */
    static final int VERSION = 1;
    /** A first frame larger than this is not a HELLO: strangers are cut off before we buffer much. */
    static final int FIRST_FRAME_MAX = 4096;
    static final int FRAME_MAX = 64 * 1024 * 1024;

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Wire() {}

    enum Type {
        HELLO(1), WELCOME(2), REFUSED(3), ATTACH(4), STATE(5), LISTENERS(6), LISTENERS_TAKEN(7),
        BATCH(8), ACK(9), DONE(10), BYE(11);

        final byte code;

        Type(int code) {
            this.code = (byte) code;
        }

        static Type of(byte code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    /** A received frame; {@code blob} holds a BATCH's pending bytes (empty otherwise). */
@SuppressWarnings("ArrayRecordComponent") // bytes in transit: never compared or hashed
    record Frame(Type type, byte[] json, byte[] blob) {

        <T> T read(Class<T> as) throws HandoverException {
            try {
                return JSON.readValue(json, as);
            } catch (IOException e) {
                throw new HandoverException("unreadable " + type + " message: " + e.getMessage(), e);
            }
        }

        static Frame decode(ByteBuf frame) throws HandoverException {
            if (!frame.isReadable()) {
                throw new HandoverException("empty frame");
            }
            byte code = frame.readByte();
            Type type = Type.of(code);
            if (type == null) {
                throw new HandoverException("unknown frame type " + (code & 0xff));
            }
            if (type != Type.BATCH) {
                byte[] json = new byte[frame.readableBytes()];
                frame.readBytes(json);
                return new Frame(type, json, new byte[0]);
            }
            if (frame.readableBytes() < 4) {
                throw new HandoverException("truncated BATCH frame");
            }
            int jsonLength = frame.readInt();
            if (jsonLength < 0 || jsonLength > frame.readableBytes()) {
                throw new HandoverException("BATCH frame with a JSON length of " + jsonLength);
            }
            byte[] json = new byte[jsonLength];
            frame.readBytes(json);
            byte[] blob = new byte[frame.readableBytes()];
            frame.readBytes(blob);
            return new Frame(type, json, blob);
        }

        @Override
        public String toString() {
            return type + " " + new String(Arrays.copyOf(json, Math.min(json.length, 200)), StandardCharsets.UTF_8);
        }
    }

    /** A frame's bytes after the length prefix (the pipeline's prepender adds it). */
    static ByteBuf encode(Type type, Object message) {
        byte[] json = json(message);
        ByteBuf out = Unpooled.buffer(1 + json.length);
        out.writeByte(type.code);
        out.writeBytes(json);
        return out;
    }

    /** A BATCH frame; takes ownership of {@code blob}. */
    static ByteBuf encodeBatch(Object message, ByteBuf blob) {
        byte[] json = json(message);
        ByteBuf head = Unpooled.buffer(5 + json.length);
        head.writeByte(Type.BATCH.code);
        head.writeInt(json.length);
        head.writeBytes(json);
        return Unpooled.wrappedBuffer(head, blob);
    }

    private static byte[] json(Object message) {
        try {
            return JSON.writeValueAsBytes(message);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + message, e);
        }
    }
}
