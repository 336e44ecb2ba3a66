package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One socket of a {@link SocketConnection}, the client's or the backend's, as the event loop's
 * epoll set knows it: registered with Netty's epoll handler directly (no channel, no pipeline),
 * with the interest it has there and the bytes waiting to be written to it.
 *
 * <p>Interest is level-triggered and changed only when it differs from what epoll has (each
 * change is an {@code epoll_ctl}). Event loop of its connection only.
 */
final class SocketSide implements EpollIoHandle {

    final SocketConnection connection;
    final Socket socket;
    /** The client's socket (else the backend's): byte counts and close reasons depend on it. */
    final boolean client;
    /** The other socket of the connection: what this one reads goes there. */
    SocketSide peer;
    /** Read from the peer but not yet written here; reading the peer waits until it is. Null when empty. */
    ByteBuf pending;
    /** The FIN of this socket's peer has been read. */
    boolean readEnded;
    /** The peer's FIN goes on to this socket once {@link #pending} is written. */
    boolean finPending;

    /**
     * What an empty interest is submitted as. Netty 4.2.18 answers {@code submit(NONE)} with
     * {@code EPOLL_CTL_DEL} but keeps the registration marked as added, so the next interest would
     * be an {@code EPOLL_CTL_MOD} of a descriptor epoll no longer has (ENOENT, thrown). Edge-triggered
     * with no events keeps the socket in the set and reports only errors and hang-ups, once each.
     */
    private static final EpollIoOps PARKED = EpollIoOps.EPOLLET;

    private IoRegistration registration;
    private int interest;

    SocketSide(SocketConnection connection, Socket socket, boolean client) {
        this.connection = connection;
        this.socket = socket;
        this.client = client;
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        connection.ready(this, ((EpollIoEvent) event).ops().value());
    }

    /** The loop is shutting down with this socket still in its set. */
    @Override
    public void close() {
        connection.loopClosing();
    }

    /** Joins {@code loop}'s epoll set with the interest asked for so far; false if the handler refused it. */
    boolean register(IoEventLoop loop) {
        Future<IoRegistration> registered = loop.register(this); // on the loop: done when it returns
        if (!registered.isSuccess()) {
            return false;
        }
        registration = registered.getNow();
        if (interest != 0) {
            registration.submit(ops(interest));
        }
        return true;
    }

    /**
     * Writes {@code length} bytes of {@code buffer} (the loop's read buffer, at {@code address});
     * what the socket cannot take yet is copied to {@link #pending}.
     */
    void send(ByteBuffer buffer, long address, int length) throws IOException {
        int written = pending == null ? socket.sendAddress(address, 0, length) : 0;
        if (written < length) {
            buffer.clear().position(written).limit(length);
            keep(length - written).writeBytes(buffer);
            buffer.clear();
        }
    }

    /** Writes {@code bytes} (not taken over); what the socket cannot take yet is copied to {@link #pending}. */
    void send(ByteBuf bytes) throws IOException {
        int written = pending == null ? write(bytes) : 0;
        int left = bytes.readableBytes() - written;
        if (left > 0) {
            keep(left).writeBytes(bytes, bytes.readerIndex() + written, left);
        }
    }

    /** Writes what {@link #pending} holds; true once it is empty (and writability no longer watched). */
    boolean flush() throws IOException {
        while (pending.isReadable()) {
            int written = write(pending);
            if (written == 0) {
                return false;
            }
            pending.skipBytes(written);
        }
        pending.release();
        pending = null;
        stopWriting();
        return true;
    }

    /** Room for {@code length} more bytes in the queue; the peer stops being read until the queue drains. */
    private ByteBuf keep(int length) {
        if (pending == null) {
            pending = ByteBufAllocator.DEFAULT.directBuffer(length);
            wantWrite();
            if (peer != null) {
                peer.stopReading();
            }
        }
        return pending.ensureWritable(length);
    }

    private int write(ByteBuf bytes) throws IOException {
        if (bytes.hasMemoryAddress()) {
            return socket.sendAddress(bytes.memoryAddress(), bytes.readerIndex(), bytes.writerIndex());
        }
        ByteBuffer nio = bytes.internalNioBuffer(bytes.readerIndex(), bytes.readableBytes());
        return socket.send(nio, nio.position(), nio.limit());
    }

    /** Read when the socket has bytes (or its FIN), unless it sent its FIN or its peer is full. */
    void wantRead() {
        if (!readEnded && (peer == null || peer.pending == null)) {
            interest(interest | EpollIoOps.EPOLLIN.value());
        }
    }

    void stopReading() {
        interest(interest & ~EpollIoOps.EPOLLIN.value());
    }

    void wantWrite() {
        interest(interest | EpollIoOps.EPOLLOUT.value());
    }

    void stopWriting() {
        interest(interest & ~EpollIoOps.EPOLLOUT.value());
    }

    /** Sets the interest to exactly {@code wanted} (EPOLLIN / EPOLLOUT bits): one {@code epoll_ctl} if it changes. */
    void interest(int wanted) {
        if (wanted == interest) {
            return;
        }
        interest = wanted;
        if (registration != null) {
            registration.submit(ops(wanted));
        }
    }

    private static EpollIoOps ops(int interest) {
        return interest == 0 ? PARKED : EpollIoOps.valueOf(interest);
    }

    /** No events while a handover holds the connection (errors and hang-ups once, which are ignored then). */
    void park() {
        interest(0);
    }

    /**
     * After a handover that did not happen: the interest its state asks for, submitted even when
     * unchanged, so epoll looks at the socket again (an error or hang-up while parked was reported
     * once, and ignored then).
     */
    void restore() {
        int wanted = pending != null ? EpollIoOps.EPOLLOUT.value() : 0;
        if (!readEnded && (peer == null || peer.pending == null)) {
            wanted |= EpollIoOps.EPOLLIN.value();
        }
        interest = wanted;
        if (registration != null) {
            registration.submit(ops(wanted));
        }
    }

    /** Drops what was still to be written (the connection ends; the socket closes after this loop pass). */
    void dropPending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /**
     * Closes the socket and leaves the epoll set. Called after the loop pass in which the
     * connection ended (a task): until then the descriptor's number cannot be given to a new
     * socket, so an event of this pass still queued for it cannot reach another connection.
     * Alone, the descriptor is closed before the registration is cancelled: closing a socket takes
     * it out of epoll in the kernel, and Netty then skips its {@code EPOLL_CTL_DEL} (one system call
     * less). When another process may hold the socket too ({@code shared}: handed over, or its
     * descriptors were sent), closing our descriptor would not take it out of our epoll set, so the
     * registration goes first; {@code endForAll} also shuts the socket down, so the peer and the
     * other process see the connection end.
     */
    void release(boolean shared, boolean endForAll) {
        dropPending();
        if (shared) {
            if (endForAll) {
                try {
                    socket.shutdown(true, true);
                } catch (IOException | RuntimeException e) {
                    // Not connected any more (reset): nothing to shut down.
                }
            }
            cancelRegistration();
        }
        try {
            socket.close();
        } catch (IOException e) {
            // Closed either way: the descriptor is released by the kernel.
        }
        cancelRegistration();
    }

    private void cancelRegistration() {
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
    }
}
