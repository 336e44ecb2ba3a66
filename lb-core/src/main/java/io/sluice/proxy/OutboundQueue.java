package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * The bytes Netty has accepted for a channel but not yet written to its socket (the kernel's own
 * buffers travel with the socket): what a handover copies to the other process, and what the old
 * process drops once the other one owns the connection. Event loop only.
 */
final class OutboundQueue {

    private OutboundQueue() {}

    /** A copy of what Netty still has to write on {@code ch} (the kernel's buffers travel with the socket). */
    static ByteBuf copy(Channel ch) {
        ChannelOutboundBuffer queue = ch.unsafe().outboundBuffer();
        if (queue == null || queue.totalPendingWriteBytes() == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        CompositeByteBuf copy = ch.alloc().compositeBuffer();
        try {
            queue.forEachFlushedMessage(msg -> {
                if (msg instanceof ByteBuf b && b.isReadable()) {
                    copy.addComponent(true, b.copy());
                }
                return true;
            });
        } catch (Exception e) {
            copy.release();
            throw new IllegalStateException(e);
        }
        return copy;
    }

    /**
     * Drops what Netty still has to write on {@code ch}, failing each write: a listener waiting for
     * it (a half-close after the flush) then does nothing.
     */
    static void discard(Channel ch) {
        ChannelOutboundBuffer queue = ch.unsafe().outboundBuffer();
        if (queue == null) {
            return;
        }
        ClosedChannelException handedOver = new ClosedChannelException();
        while (queue.current() != null) {
            queue.remove(handedOver);
        }
    }
}
