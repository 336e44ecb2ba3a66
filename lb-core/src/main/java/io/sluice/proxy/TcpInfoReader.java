package io.sluice.proxy;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.uring.IoUringTcpInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How long ago a socket last sent or received data, from the kernel's TCP_INFO: for the idle
 * sweep, which asks it only of the connections it is about to close ({@link IdleSweeper}).
 *
 * <p>Reused buffers, so one reader per event loop; not thread-safe.
 */
final class TcpInfoReader {

    private static final int IPPROTO_TCP = 6;
    private static final int TCP_INFO = 11;
    /**
     * Offsets in Linux's {@code struct tcp_info} (linux/tcp.h): eight one-byte fields, nine
     * 32-bit ones (rto to fackets), then the times in milliseconds.
     */
    private static final int LAST_DATA_SENT = 44;
    private static final int LAST_DATA_RECV = 52;
    private static final int READ_UP_TO = LAST_DATA_RECV + 4;

    private final EpollTcpInfo epollInfo = new EpollTcpInfo();
    private final ByteBuffer raw = ByteBuffer.allocateDirect(READ_UP_TO).order(ByteOrder.nativeOrder());

    /** For a channel; {@code Long.MAX_VALUE} when it cannot be read (NIO, a closed socket, null). */
    long quietMillis(Channel ch) {
        if (ch == null || !ch.isActive()) {
            return Long.MAX_VALUE;
        }
        try {
            if (ch instanceof EpollSocketChannel epoll) {
                epoll.tcpInfo(epollInfo);
                return Math.min(epollInfo.lastDataSent(), epollInfo.lastDataRecv());
            }
            if (ch instanceof IoUringSocketChannel uring) {
                IoUringTcpInfo info = uring.tcpInfo();
                return Math.min(info.lastDataSent(), info.lastDataRecv());
            }
        } catch (RuntimeException e) { // closed between the check and the call
            return Long.MAX_VALUE;
        }
        return Long.MAX_VALUE; // NIO: no TCP_INFO, the read flag alone decides
    }

    /** For a bare socket; {@code Long.MAX_VALUE} when it cannot be read (closed, null). */
    long quietMillis(Socket socket) {
        if (socket == null || !socket.isOpen()) {
            return Long.MAX_VALUE;
        }
        try {
            raw.clear();
            socket.getRawOpt(IPPROTO_TCP, TCP_INFO, raw);
            return Math.min(Integer.toUnsignedLong(raw.getInt(LAST_DATA_SENT)), Integer.toUnsignedLong(raw.getInt(LAST_DATA_RECV)));
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
