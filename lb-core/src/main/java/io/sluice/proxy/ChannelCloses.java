package io.sluice.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.sluice.transport.HalfClose;
import io.sluice.transport.SocketClose;

/**
 * How a relay closes one of its channels: after what is queued (FIN), at once, or only its output
 * (half-close). Static and stateless; called on the channel's event loop (a {@link Connection}'s
 * close rules, {@link ConnectionHandover}'s resume), and its listeners run there too.
 */
final class ChannelCloses {

    private ChannelCloses() {
    }

    static void shutdownOutputAfterFlush(Channel ch) {
        // shutdownOutput() fails writes still queued, so wait for everything before it to be written.
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && ch instanceof DuplexChannel duplex) {
                HalfClose.shutdownOutput(duplex); // without Netty's exception per call where it can
            }
        });
    }

    /** Closes {@code ch} once what is queued on it is written; at once if nothing can be written. */
    static void closeAfterFlush(Channel ch, boolean sharedDescriptors) {
        if (ch == null || !ch.isOpen()) {
            return;
        }
        // A channel whose output is shut down has nothing left to flush (and a write would fail).
        boolean outputOpen = !(ch instanceof DuplexChannel duplex) || !duplex.isOutputShutdown();
        if (ch.isActive() && outputOpen) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> close(ch, sharedDescriptors));
        } else {
            close(ch, sharedDescriptors);
        }
    }

    /**
     * One system call ({@link SocketClose}), unless another process may hold copies of the descriptors
     * (a failed handover): then Netty's close, so the pipeline's {@link ShutdownOnClose} runs on an open socket.
     */
    static void close(Channel ch, boolean sharedDescriptors) {
        if (sharedDescriptors) {
            ch.close();
        } else {
            SocketClose.close(ch);
        }
    }
}
