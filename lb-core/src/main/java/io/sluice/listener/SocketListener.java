package io.sluice.listener;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.Future;
import io.sluice.proxy.FrontendInitializer;
import io.sluice.proxy.FrontendSettings;
import io.sluice.proxy.SocketConnection;
import io.sluice.transport.DescriptorReserve;
import io.sluice.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket registered with an event loop's epoll handler directly, whose clients are
 * relayed by {@link SocketConnection}s: the {@code epoll-sockets} transport's tcp and tls listeners.
 *
 * <p>Accepts until the kernel's queue is empty or {@link Transport#ACCEPTS_PER_EVENT} clients were
 * taken (as the channel listeners do), spreads the clients over the group's loops as Netty does
 * for channels, and keeps the {@link DescriptorReserve} and the pause after an accept error
 * ({@link AcceptErrors}: the same counts and reports).
 *
 * <p>Confined to its event loop, except {@link #accepting} and {@link #close}, which hop onto it.
 */
final class SocketListener implements EpollIoHandle {

    private final Socket socket;
    private final InetSocketAddress bound;
    /** Whether the socket is bound to the wildcard address: then a client's destination needs a getsockname. */
    private final boolean wildcard;
    private final FrontendInitializer settings;
    private final EventLoopGroup group;
    private final IoEventLoop loop;
    private final AcceptErrors errors;
    /** Filled by accept: a length byte, the address, the port (Netty's layout). */
    private final byte[] acceptedAddress = new byte[26];
    private IoRegistration registration;
    private boolean accepting = true;
    private boolean paused;

    private SocketListener(Socket socket, FrontendInitializer settings, EventLoopGroup group) {
        this.socket = socket;
        this.bound = socket.localAddress();
        this.wildcard = bound.getAddress().isAnyLocalAddress();
        this.settings = settings;
        this.group = group;
        this.loop = (IoEventLoop) group.next();
        FrontendSettings now = settings.settings();
        this.errors = new AcceptErrors(now.listener(), now.metrics());
    }

    /** Serves {@code socket} (bound and listening) on one of {@code group}'s loops; blocks until registered. */
    static SocketListener serve(Socket socket, FrontendInitializer settings, EventLoopGroup group) throws IOException {
        SocketListener listener = new SocketListener(socket, settings, group);
        Future<IoRegistration> registered = listener.loop.register(listener).awaitUninterruptibly();
        if (!registered.isSuccess()) {
            throw new IOException("cannot register the listening socket: " + registered.cause().getMessage(), registered.cause());
        }
        listener.registration = registered.getNow();
        listener.loop.submit(listener::applyInterest).awaitUninterruptibly();
        return listener;
    }

    InetSocketAddress localAddress() {
        return bound;
    }

    int descriptor() {
        return socket.intValue();
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        FrontendSettings now = settings.settings();
        for (int i = 0; i < Transport.ACCEPTS_PER_EVENT && accepting && !paused; i++) {
            int fd;
            try {
                fd = socket.accept(acceptedAddress);
            } catch (IOException e) {
                pause(errors.failed(e));
                return;
            }
            if (fd < 0) {
                return; // the queue is empty
            }
            if (DescriptorReserve.holds(fd)) {
                closeQuietly(new FileDescriptor(fd)); // the client sees its connection close
                pause(errors.reserveReached());
                return;
            }
            InetSocketAddress client = NativeInetAddress.address(acceptedAddress, 1, acceptedAddress[0]);
            IoEventLoop target = (IoEventLoop) group.next();
            if (target.inEventLoop()) {
                start(now, target, fd, client);
            } else {
                try {
                    target.execute(() -> start(now, target, fd, client));
                } catch (RejectedExecutionException e) {
                    closeQuietly(new FileDescriptor(fd)); // that loop is shutting down: the daemon stops
                }
            }
        }
    }

    private void start(FrontendSettings now, IoEventLoop target, int fd, InetSocketAddress client) {
        // TCP_NODELAY and SO_KEEPALIVE are the listening socket's, inherited: no setsockopt per client.
        Socket accepted = new Socket(fd);
        InetSocketAddress destination = wildcard ? accepted.localAddress() : bound;
        if (destination == null) {
            closeQuietly(accepted); // reset before we looked at it
            return;
        }
        SocketConnection.accepted(now, target, accepted, client, destination);
    }

    private void pause(long millis) {
        paused = true;
        applyInterest();
        loop.schedule(() -> {
            paused = false;
            applyInterest();
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void applyInterest() {
        if (registration != null && registration.isValid()) {
            // Not NONE: Netty 4.2.18 takes the socket out of epoll for it and then fails the next change
            // (see SocketSide); edge-triggered with no events keeps it in, reporting nothing.
            registration.submit(accepting && !paused ? EpollIoOps.EPOLLIN : EpollIoOps.EPOLLET);
        }
    }

    /**
     * Stops or restarts taking connections off the socket without closing it; waits until done
     * (any thread but this loop's).
     */
    void accepting(boolean on) {
        loop.submit(() -> {
            accepting = on;
            applyInterest();
        }).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /**
     * Stops serving the socket without closing it (waits until done; not on this loop): another
     * listener of this process serves the same socket next, its queue of clients with it.
     */
    void detach() {
        loop.submit(() -> {
            if (registration != null) {
                registration.cancel(); // the descriptor is open: out of epoll now
                registration = null;
            }
        }).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Stops accepting and closes the socket; connections already accepted are not touched. */
    Future<?> closeSocket() {
        return loop.submit(this::close);
    }

    /** Called on the loop: by {@link #closeSocket}, and by the loop itself when it shuts down. */
    @Override
    public void close() {
        // Out of epoll first: after a handover another process holds the socket too, and closing our
        // descriptor alone would leave it in our epoll set, readable for ever.
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException e) {
            // Released either way.
        }
    }
}
