package io.sluice.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.channels.NotYetConnectedException;

/**
 * Sends a FIN on a connected socket while its other direction goes on (TCP half-close).
 *
 * <p>Why not {@link DuplexChannel#shutdownOutput()} alone: Netty 4.2.18 builds a
 * {@code ChannelOutputShutdownException} with a full stack trace on every call, to fail the writes
 * still queued, even when none are. The relay half-closes nearly every connection that ends
 * cleanly, so that was one exception per connection (measured with JFR under connection churn: its
 * stack-trace arrays were about 8% of all the bytes the event loop allocated; docs/performance.md).
 * On epoll, with nothing queued, the FIN goes out through the channel's own socket: the same
 * shutdown(SHUT_WR) Netty makes, and the socket records it, so {@code isOutputShutdown()} is true
 * afterwards as before. Otherwise (writes queued, another transport, an error) Netty's path runs.
 *
 * <p>Event loop of the channel only.
 */
public final class HalfClose {

    private HalfClose() {}

    /**
     * Whether the read that just completed on {@code ch} ended at the peer's FIN (call it from
     * channelReadComplete): the transport's last read returned end of stream, and it shuts the
     * input down right after channelReadComplete (Netty's epoll, NIO and io_uring channels alike).
     * An error ends a read without changing this, and after a FIN a channel reads no more.
     */
    public static boolean endOfStreamRead(Channel ch) {
        return ch.unsafe().recvBufAllocHandle().lastBytesRead() < 0;
    }

    public static void shutdownOutput(DuplexChannel ch) {
        if (ch instanceof EpollSocketChannel epoll && epoll.fd() instanceof Socket socket && !socket.isOutputShutdown()) {
            ChannelOutboundBuffer queued = epoll.unsafe().outboundBuffer();
            if (queued != null && queued.isEmpty()) {
                try {
                    socket.shutdown(false, true);
                    return;
                } catch (IOException | NotYetConnectedException e) {
                    // Netty's path reports it the way it always has (a failed future nobody waits for).
                    // ENOTCONN (NotYetConnectedException, unchecked): the peer closed meanwhile; it
                    // escaped to the listener before, one WARN with a stack trace per such connection.
                }
            }
        }
        ch.shutdownOutput();
    }
}
