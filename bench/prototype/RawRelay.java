package io.netty.channel.epoll;

import io.netty.channel.unix.FileDescriptor;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.util.ArrayDeque;
import java.util.Arrays;

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

    /** Hang-up; Netty's {@code Native} exports EPOLLIN, OUT, RDHUP, ERR and ET, not this (sys/epoll.h). */
    private static final int EPOLLHUP = 0x10;
    private static final int BUFFER = 64 * 1024;

    /**
     * One socket of a relayed connection, client or backend: {@code peer} is the other socket, bytes
     * read from this one go to the peer, and {@code pending} holds what this one could not take yet.
     */
    private static final class Side {
        final LinuxSocket socket;
        Side peer;
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>(1);
        int pendingBytes;
        boolean connected;
        boolean readEnded;  // EOF read from this socket
        boolean writeEnded; // FIN sent on this socket
        boolean closed;
        int interest;       // what the epoll set has for it; 0 = not in the set

        Side(LinuxSocket socket) {
            this.socket = socket;
        }
    }

    private final FileDescriptor epoll = Native.newEpollCreate();
    private final EpollEventArray events = new EpollEventArray(4096);
    /** Connections by descriptor; grows with the highest descriptor seen (the kernel hands out the lowest free). */
    private Side[] byFd = new Side[1024];
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
            boolean accept = false;
            for (int i = 0; i < ready; i++) {
                int fd = events.fd(i);
                if (fd == listener.intValue()) {
                    // After this pass: a descriptor closed in it may be handed out again, and a later
                    // event of the same pass for the old socket must not reach the new one.
                    accept = true;
                    continue;
                }
                Side side = fd < byFd.length ? byFd[fd] : null;
                if (side == null || side.closed) {
                    continue;
                }
                try {
                    handle(side, events.events(i));
                } catch (IOException | NotYetConnectedException e) { // a reset, or a FIN to a socket already reset
                    closeBoth(side);
                }
            }
            if (accept) {
                acceptAll();
            }
        }
    }

    private void acceptAll() {
        for (int n = 0; n < 1024; n++) {
            int fd;
            try {
                fd = listener.accept(acceptedAddress);
            } catch (IOException e) { // ECONNABORTED, EMFILE...: level-triggered epoll reports the listener again
                return;
            }
            if (fd < 0) {
                return;
            }
            Side client = new Side(LinuxSocket.newSocket(fd));
            client.connected = true;
            try {
                LinuxSocket out = LinuxSocket.newSocketStream(false);
                Side server = new Side(out);
                client.peer = server;
                server.peer = client;
                track(client);
                track(server);
                client.socket.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                server.connected = out.connect(backend);
                updateInterest(client);
                updateInterest(server);
            } catch (IOException | RuntimeException e) { // no descriptor for the backend socket, or a failed connect
                closeBoth(client);
            }
        }
    }

    private void track(Side side) {
        int fd = side.socket.intValue();
        if (fd >= byFd.length) {
            byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        byFd[fd] = side;
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
            drain(side);
        }
        if ((ev & (Native.EPOLLIN | Native.EPOLLRDHUP | EPOLLHUP)) != 0 && !side.closed) {
            if (wantsRead(side)) {
                read(side);
            } else if ((ev & EPOLLHUP) != 0) { // cannot be masked: a paused socket that hung up would spin
                closeBoth(side);
            }
        }
        updateInterest(side);
        updateInterest(side.peer);
    }

    /** Reads what {@code from} has and passes it on; stops at EOF, at EAGAIN or when the peer holds bytes. */
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
                return;
            }
            int written = 0;
            if (to.connected && to.pending.isEmpty()) {
                written = to.socket.sendAddress(bufferAddress, 0, n);
            }
            if (written < n) { // keep the rest; wantsRead decides whether the source pauses
                ByteBuffer rest = ByteBuffer.allocate(n - written);
                buffer.clear().position(written).limit(n);
                rest.put(buffer).flip();
                buffer.clear();
                to.pending.add(rest);
                to.pendingBytes += rest.remaining();
                return;
            }
            if (n < BUFFER) {
                return; // the socket is most likely empty; level-triggered epoll says if not
            }
        }
    }

    /** Writes what {@code side} holds for its socket, and passes the peer's FIN on once it is all out. */
    private void drain(Side side) throws IOException {
        ByteBuffer head;
        while ((head = side.pending.peek()) != null) {
            int len = head.remaining();
            buffer.clear();
            buffer.put(head.duplicate()).flip();
            int written = side.socket.sendAddress(bufferAddress, 0, len);
            buffer.clear();
            head.position(head.position() + written);
            side.pendingBytes -= written;
            if (head.hasRemaining()) {
                return;
            }
            side.pending.poll();
        }
        if (side.peer.readEnded) {
            finish(side);
        }
    }

    /** The peer ended: pass its FIN on to {@code to}; once both ways have ended, close both. */
    private void finish(Side to) throws IOException {
        if (to.writeEnded) {
            return;
        }
        to.writeEnded = true;
        if (to.peer.writeEnded) {
            closeBoth(to);
            return;
        }
        to.socket.shutdown(false, true);
    }

    /**
     * Whether to read {@code side} now: not after its EOF, and not while its peer holds bytes it could
     * not write (backpressure). Bytes that came before the backend's connect completed (always, on
     * loopback) are held without pausing the client, up to one buffer: pausing and resuming it cost
     * two epoll_ctl per connection in this prototype's first version.
     */
    private boolean wantsRead(Side side) {
        if (side.readEnded || side.closed) {
            return false;
        }
        Side to = side.peer;
        return to.pending.isEmpty() || (!to.connected && to.pendingBytes < BUFFER);
    }

    private void updateInterest(Side side) throws IOException {
        if (side.closed) {
            return;
        }
        int wanted = wantsRead(side) ? Native.EPOLLIN | Native.EPOLLRDHUP : 0;
        if (!side.connected || !side.pending.isEmpty()) {
            wanted |= Native.EPOLLOUT;
        }
        if (wanted == side.interest) {
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
        int fd = side.socket.intValue();
        if (fd < byFd.length && byFd[fd] == side) {
            byFd[fd] = null;
        }
        try {
            side.socket.close(); // the kernel drops a closed descriptor from the epoll set
        } catch (IOException ignored) {
            // already gone
        }
    }
}
