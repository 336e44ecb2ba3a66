package io.sluice.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;

/**
 * Closes a relayed connection's channel with one system call, {@code close(2)}, where Netty 4.2.18's
 * epoll channel makes three: it reads SO_LINGER first (to decide whether close may block), then takes
 * the descriptor out of epoll ({@code EPOLL_CTL_DEL}), then closes it. For a socket whose interest
 * set had emptied (a peer's FIN), that DEL fails with ENOENT and builds a {@code NativeIoException}
 * with a stack trace, which Netty logs at debug and drops. Measured under connection churn: 2
 * getsockopt and 2 epoll_ctl per proxied connection, and that exception (docs/performance.md, "Round 3").
 *
 * <p>How: the descriptor is closed first, through the channel's own {@code FileDescriptor} (so
 * Netty's socket knows it is closed), then the channel. Netty's close then skips what only an open
 * descriptor needs: no SO_LINGER read (its {@code prepareToClose} asks only an open socket), no
 * DEL (its registration removes only an open descriptor from epoll; closing the last reference to
 * a socket takes it out of epoll in the kernel), and its own close of the descriptor does nothing
 * the second time. Pipeline events, futures and queued writes are failed exactly as by
 * {@code ch.close()}. {@code SocketCloseTest} fails if a Netty upgrade brings back an exception
 * on this path (a DEL or SO_LINGER read of the closed descriptor would throw one).
 *
 * <p>Only for sockets nobody else holds: closing a descriptor that another process also holds
 * (a handover, or a connection taken back after a failed one) only drops our copy and leaves it
 * in our epoll set, so those close the ordinary way (see {@code Connection}).
 * Only for sockets without a positive SO_LINGER: Sluice sets SO_LINGER only to 0 (to reset), and
 * Netty moves a close with a positive linger off the event loop because it blocks.
 *
 * <p>Event loop of the channel (elsewhere, and for other transports, it is {@code ch.close()}).
 */
public final class SocketClose {

    /** Closes the channel of a completed future (for {@code writeAndFlush(...).addListener}). */
    public static final ChannelFutureListener CLOSE = f -> close(f.channel());

    private SocketClose() {}

    public static ChannelFuture close(Channel ch) {
        if (ch instanceof EpollSocketChannel epoll && epoll.isRegistered() && epoll.eventLoop().inEventLoop()) {
            try {
                epoll.fd().close(); // nothing if closed already
            } catch (IOException e) {
                // The descriptor is marked closed either way; Netty's close below completes the channel.
            }
        }
        return ch.close();
    }
}
