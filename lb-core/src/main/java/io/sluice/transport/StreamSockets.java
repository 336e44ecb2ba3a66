package io.sluice.transport;

import io.netty.channel.unix.Socket;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * New non-blocking TCP sockets without a Netty channel around them, for the socket relay
 * ({@code SocketConnection}): Netty's {@link Socket} offers only a dual-stack constructor to
 * everyone, and the family of its own factory for the rest to subclasses.
 *
 * <p>Stateless; any thread.
 */
public final class StreamSockets extends Socket {

    private StreamSockets(int fd) {
        super(fd);
    }

    /**
     * A socket of {@code target}'s family: an IPv4 backend gets an IPv4 socket, not a dual-stack
     * IPv6 one that would map every address (as {@link Transport#newSocketChannel} does for channels).
     */
    public static Socket forTarget(InetAddress target) {
        return new StreamSockets(newSocketStream0(target instanceof Inet6Address));
    }
}
