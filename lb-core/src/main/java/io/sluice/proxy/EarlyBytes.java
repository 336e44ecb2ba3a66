package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Client bytes read before the backend is connected. AUTO_READ is off until then, so this only
 * happens when the transport reads to see an EOF (epoll does on RDHUP): the client sent its data
 * and FIN at once, as {@code echo hi | nc} does. Bounded: nothing legitimate sends much before we
 * read. Owned by one {@link Connection}, on its event loop.
 */
final class EarlyBytes {

    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>(4);
    private int bytes;

    /**
     * Keeps {@code msg} (taking ownership), or releases it when the total would pass {@code limit}.
     *
     * @return false if the limit was exceeded (the caller should close)
     */
    boolean hold(ByteBuf msg, int limit) {
        if (bytes + msg.readableBytes() > limit) {
            msg.release();
            return false;
        }
        bytes += msg.readableBytes();
        held.add(msg);
        return true;
    }

    /** Writes everything held to the backend, in order, and flushes. */
    void writeTo(Channel outbound) {
        ByteBuf msg;
        while ((msg = held.poll()) != null) {
            outbound.write(msg, outbound.voidPromise());
        }
        outbound.flush();
    }

    /** The connection ended before the backend was connected. */
    void release() {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }
}
