package io.netty.channel.epoll;

import io.netty.channel.unix.FileDescriptor;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.util.ArrayDeque;

/**
 * A measuring prototype, not part of Sluice: the smallest TCP relay written directly over Netty's
 * native epoll and socket calls, with no Netty channel, pipeline or promise. One thread, one epoll
 * set, level-triggered, one shared receive buffer; a direction that cannot be written at once keeps
 * the rest and stops reading its source until the destination drains. It exists to answer one
 * question with a number (docs/performance.md, Round 6, "What a relay without Netty channels would
 * cost (a prototype)"): how close a Java data plane of our own could come to HAProxy's CPU per
 * connection.
 *
 * <p>It lives in Netty's package only to reach the package-private event array; built and run by
 * bench/raw-relay.sh. Loopback only; it has none of Sluice's features (no limits, timeouts, logs,
 * metrics, PROXY protocol, SNI, drain or handover).
 *
 * <p>Threads: everything on the thread that calls {@link #run}.
 */
public final class RawRelay {

    private static final int EPOLLHUP = 0x10;
    private static final int BUFFER = 64 * 1024;

    /**
     * One socket of a relayed connection, client or backend: {@code peer} is the other socket, bytes
     * read from this one go to the peer, and {@code pending} holds what this one could not take yet.
     */
    private static final class Side {
        final LinuxSocket socket;
        Side peer;
        /** Bytes read from the peer that this socket could not take yet. */
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>(1);
        boolean connected;
        boolean readEnded;  // EOF read from this socket
        boolean writeEnded; // FIN sent on this socket
        boolean closed;
        int interest;

        Side(LinuxSocket socket) {
            this.socket = socket;
        }
    }

    private final FileDescriptor epoll = Native.newEpollCreate();
    private final EpollEventArray events = new EpollEventArray(4096);
    private final Side[] byFd = new Side[65536];
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    private final long bufferAddress = PlatformDependent.directBufferAddress(buffer);
    private final LinuxSocket listener;
    private final InetSocketAddress backend;
    private final byte[] acceptedAddress = new byte[26];

    private RawRelay(InetSocketAddress bind, InetSocketAddress backend) throws IOException {
        this.backend = backend;
        listener = LinuxSocket.newSocketStream(false);
        listener.setReuseAddress(true);
        listener.bind(bind);
        listener.listen(4096);
        Native.epollCtlAdd(epoll.intValue(), listener.intValue(), Native.EPOLLIN);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: RawRelay BIND_PORT BACKEND_PORT   (both on 127.0.0.1)");
            System.exit(2);
        }
        new RawRelay(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])),
                new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]))).run();
    }

    private void run() throws IOException {
        while (true) {
            int ready = Native.epollWait(epoll, events, -1);
            for (int i = 0; i < ready; i++) {
                int fd = events.fd(i);
                int ev = events.events(i);
                if (fd == listener.intValue()) {
                    acceptAll();
                    continue;
                }
                Side side = byFd[fd];
                if (side == null || side.closed) {
                    continue;
                }
                try {
                    handle(side, ev);
                } catch (IOException | NotYetConnectedException e) { // a reset, or a FIN to a socket already reset
                    closeBoth(side);
                }
            }
        }
    }

    private void acceptAll() throws IOException {
        for (int n = 0; n < 1024; n++) {
            int fd = listener.accept(acceptedAddress);
            if (fd < 0) {
                return;
            }
            Side client = new Side(LinuxSocket.newSocket(fd));
            client.connected = true;
            LinuxSocket out = LinuxSocket.newSocketStream(false);
            Side server = new Side(out);
            client.peer = server;
            server.peer = client;
            byFd[fd] = client;
            byFd[out.intValue()] = server;
            try {
                client.socket.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                server.connected = out.connect(backend);
                setInterest(client, Native.EPOLLIN | Native.EPOLLRDHUP);
                setInterest(server, server.connected ? Native.EPOLLIN | Native.EPOLLRDHUP
                        : Native.EPOLLOUT | Native.EPOLLRDHUP);
            } catch (IOException e) {
                closeBoth(client);
            }
        }
    }

    private void handle(Side side, int ev) throws IOException {
        if ((ev & Native.EPOLLERR) != 0) {
            closeBoth(side);
            return;
        }
        if ((ev & Native.EPOLLOUT) != 0) {
            if (!side.connected) {
                if (!side.socket.finishConnect()) {
                    return;
                }
                side.connected = true;
            }
            if (!drain(side)) {
                return;
            }
            if (side.peer.pending.isEmpty() && !side.peer.readEnded) {
                setInterest(side.peer, side.peer.interest | Native.EPOLLIN);
            }
            updateInterest(side);
        }
        if ((ev & (Native.EPOLLIN | Native.EPOLLRDHUP | EPOLLHUP)) != 0 && !side.readEnded) {
            read(side);
        }
    }

    /** Reads what {@code from} has and passes it on; stops at EOF or when the peer cannot take more. */
    private void read(Side from) throws IOException {
        Side to = from.peer;
        while (true) {
            int n = from.socket.recvAddress(bufferAddress, 0, BUFFER);
            if (n == 0) { // EAGAIN
                return;
            }
            if (n < 0) { // EOF
                from.readEnded = true;
                if (to.pending.isEmpty() && to.connected) {
                    finish(to);
                }
                updateInterest(from); // nothing when finish closed both
                return;
            }
            int written = 0;
            if (to.connected && to.pending.isEmpty()) {
                written = to.socket.sendAddress(bufferAddress, 0, n);
            }
            if (written < n) { // keep the rest
                ByteBuffer rest = ByteBuffer.allocate(n - written);
                buffer.clear().position(written).limit(n);
                rest.put(buffer).flip();
                buffer.clear();
                to.pending.add(rest);
                // A request that came before the backend's connect completed is held without
                // pausing the client (two epoll_ctl calls saved); a full socket pauses its source.
                if (to.connected || rest.capacity() >= BUFFER) {
                    setInterest(from, from.interest & ~Native.EPOLLIN);
                }
                setInterest(to, to.interest | Native.EPOLLOUT);
                return;
            }
            if (n < BUFFER) {
                return; // the socket is most likely empty; level-triggered epoll says if not
            }
        }
    }

    /** Writes what {@code side} holds for its socket; true when nothing is left. */
    private boolean drain(Side side) throws IOException {
        ByteBuffer head;
        while ((head = side.pending.peek()) != null) {
            buffer.clear();
            int len = head.remaining();
            buffer.put(head.duplicate()).flip();
            int written = side.socket.sendAddress(bufferAddress, 0, len);
            head.position(head.position() + written);
            buffer.clear();
            if (head.hasRemaining()) {
                return false;
            }
            side.pending.poll();
        }
        if (side.peer.readEnded) {
            finish(side);
        }
        return true;
    }

    /** The peer ended: pass its FIN on, and close both once both directions have ended. */
    private void finish(Side to) throws IOException {
        if (!to.writeEnded) {
            to.writeEnded = true;
            if (to.readEnded && to.peer.writeEnded) {
                closeBoth(to);
                return;
            }
            to.socket.shutdown(false, true);
        }
        if (to.readEnded && to.peer.writeEnded) {
            closeBoth(to);
        }
    }

    private void updateInterest(Side side) throws IOException {
        int wanted = side.readEnded ? 0 : Native.EPOLLIN | Native.EPOLLRDHUP;
        if (!side.pending.isEmpty() || !side.connected) {
            wanted |= Native.EPOLLOUT;
        }
        setInterest(side, wanted);
    }

    private void setInterest(Side side, int wanted) throws IOException {
        if (wanted == side.interest || side.closed) {
            return;
        }
        int fd = side.socket.intValue();
        if (side.interest == 0) {
            Native.epollCtlAdd(epoll.intValue(), fd, wanted);
        } else if (wanted == 0) {
            Native.epollCtlDel(epoll.intValue(), fd);
        } else {
            Native.epollCtlMod(epoll.intValue(), fd, wanted);
        }
        side.interest = wanted;
    }

    private void closeBoth(Side side) {
        close(side);
        close(side.peer);
    }

    private void close(Side side) {
        if (side == null || side.closed) {
            return;
        }
        side.closed = true;
        byFd[side.socket.intValue()] = null;
        try {
            side.socket.close(); // the kernel drops a closed descriptor from the epoll set
        } catch (IOException ignored) {
            // already gone
        }
    }
}
