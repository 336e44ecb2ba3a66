package io.sluice.proxy;

import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Promise;
import io.sluice.pool.Pool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link Connection} relayed straight on its two sockets: both are registered with the event
 * loop's epoll handler as {@link SocketSide}s, and bytes go from one socket's {@code recv} into
 * the loop's one read buffer and out with the other's {@code send}. No channel, pipeline, promise
 * or per-read buffer; what the peer cannot take at once is copied aside and its source stops
 * being read until it drains (backpressure). Why: Netty's channel layer was most of what Sluice
 * spent per connection above HAProxy (docs/performance.md, "Round 6" and "Round 7").
 *
 * <p>The life of a connection: accepted and admitted (limits); on a tls listener, the ClientHello
 * read and judged ({@link SocketPrelude}, the same decisions as the channel relay's sniffer); then
 * the backend connect ({@link SocketConnector}: retries and their accounting as with channels). On
 * a tcp listener the client's socket joins the epoll set only once the backend is connected, so
 * nothing it sends meanwhile needs holding (the kernel holds it) and its interest is set once; on
 * a tls listener it is in from the start, and the prelude's bytes go to the backend first. Then
 * the relay: a FIN read from one side is passed on (shutdown SHUT_WR) after the bytes before it;
 * when both directions have ended both sockets close (after the loop pass:
 * {@link #closeAfterThisPass}). A read or write error on one side resets the other (SO_LINGER 0).
 * Idle timeout, drain, shutdown and refusals close both with a FIN. What the connection gives back
 * when it ends is {@link ConnectionEnd}'s, as for channels.
 *
 * <p>Used for tcp and tls listeners without PROXY protocol from clients under the
 * {@code epoll-sockets} transport. A handover to another process is {@link SocketHandover}'s (the
 * other process adopts it with channels).
 *
 * <p>Confined to its event loop: every method runs there.
 */
public final class SocketConnection extends Connection {

    /** One read's most; bulk transfers move this much per system call. */
    private static final int READ_BUFFER_SIZE = 64 * 1024;
    /** Reads of one socket per readiness event, so one busy transfer cannot hold the loop. */
    private static final int READS_PER_EVENT = 4;
    private static final int OUT = EpollIoOps.EPOLLOUT.value();
    private static final int ERR = EpollIoOps.EPOLLERR.value();

    /** The loop's read buffer: every connection of a loop reads into it and writes out of it at once. */
    private static final FastThreadLocal<ByteBuffer> READ_BUFFERS = new FastThreadLocal<>() {
        @Override
        protected ByteBuffer initialValue() {
            return ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
        }
    };

    private final IoEventLoop loop;
    // Package-private: SocketHandover pauses, captures and resumes them (same event loop).
    final SocketSide clientSide;
    SocketSide backendSide;
    private final ByteBuffer readBuffer;
    private final long readAddress;
    /** Connects the backend; null once connected. */
    SocketConnector connector;
    /** Tls listeners, until the backend is connected: the ClientHello and the bytes held meanwhile. */
    SocketPrelude prelude;
    /** Both FINs are read: close both sockets once what is queued for them is written. */
    boolean closeWhenFlushed;
    boolean finished;
    // Handover (SocketHandover): while held, events are ignored and closes wait for the outcome.
    boolean held;
    CloseReason closeWhileHeld;
    /** Another process may hold copies of the descriptors (a handover that failed after they left). */
    boolean sharedDescriptors;

    private SocketConnection(FrontendSettings settings, IoEventLoop loop, Socket client,
                             InetSocketAddress clientAddress, InetSocketAddress destination) {
        super(settings, clientAddress, destination);
        this.loop = loop;
        this.clientSide = new SocketSide(this, client, true);
        this.readBuffer = READ_BUFFERS.get();
        this.readAddress = Buffer.memoryAddress(readBuffer);
    }

    /**
     * Takes an accepted client socket: admission, then the backend connect. On {@code loop}, which
     * owns the connection from now on.
     */
    public static void accepted(FrontendSettings settings, IoEventLoop loop, Socket client,
                                InetSocketAddress clientAddress, InetSocketAddress destination) {
        new SocketConnection(settings, loop, client, clientAddress, destination).start();
    }

    private void start() {
        FrontendSettings settings = settings();
        if (idleNanos > 0) {
            IdleSweeper.on(loop).add(this);
        }
        settings.metrics().accepted(settings.listener());
        if (!settings.limiter().tryAcquireGlobal()) {
            refuse(CloseReason.OVER_LIMIT);
            return;
        }
        globalAdmitted();
        if (!settings.limiter().tryAcquireSource(client.getAddress())) {
            refuse(CloseReason.OVER_SOURCE_LIMIT);
            return;
        }
        sourceAdmitted();
        if (settings.routed()) {
            // A tls listener: the client's socket joins epoll now, to read its ClientHello.
            prelude = new SocketPrelude(this, settings.hello());
            if (!clientSide.register(loop)) {
                close(CloseReason.CLIENT_ABORT); // the epoll handler refused it (the loop is shutting down)
                return;
            }
            clientSide.wantRead();
            prelude.startTimers();
            return;
        }
        routed(settings.pool(), null);
        connect(settings.pool());
    }

    /** Connects to a backend of {@code to} (the listener's pool, or the one a ClientHello named). */
    void connect(Pool to) {
        connector = new SocketConnector(this, new ConnectAttempts(this, to));
        connector.connect();
    }

    /**
     * The backend is connected (by {@link #connector}, which wrote the PROXY header if any): the
     * client's socket joins epoll (a tls listener's is in already, and what its client sent so far
     * goes to the backend first), and the relay starts both ways.
     */
    void established() {
        connector = null;
        if (prelude != null) {
            SocketPrelude done = prelude;
            prelude = null;
            done.sendHeld();
            return;
        }
        if (!clientSide.register(loop)) {
            close(CloseReason.CONNECT_FAILED);
            return;
        }
        clientSide.wantRead();
    }

    void refuse(CloseReason reason) {
        settings().metrics().refused(settings().listener(), reason.word());
        close(reason);
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    /** The loop, as the epoll handler's: what sockets register with. */
    IoEventLoop ioLoop() {
        return loop;
    }

    /** The client's socket (for tests of its options). */
    Socket clientSocket() {
        return clientSide.socket;
    }

    /** The backend's socket once one is being connected, else null (for tests of its options). */
    Socket backendSocket() {
        SocketSide backend = backendSide;
        return backend == null ? null : backend.socket;
    }

    // ---- the relay

    /** Epoll says {@code side} is ready ({@code ops}: EPOLLIN, OUT, ERR, HUP, RDHUP bits). */
    void ready(SocketSide side, int ops) {
        if (finished || held || (side.peer == null && side != clientSide)) {
            return; // a backend socket that failed to connect and is being closed, or the connection is done
        }
        if (prelude != null && side == clientSide) {
            prelude.clientReady(); // before the backend is connected: the ClientHello, or bytes to hold
            return;
        }
        if (connector != null) {
            // Writable (connected) or an error (refused, unreachable) ends a connect; nothing else does.
            if (side == backendSide && (ops & (OUT | ERR)) != 0) {
                connector.ready();
            }
            return;
        }
        if ((ops & OUT) != 0 && side.pending != null) {
            flush(side);
            if (finished) {
                return;
            }
        }
        if ((ops & ~OUT) != 0) {
            if (!side.readEnded) {
                read(side);
            } else if (side.pending != null) {
                flush(side); // an error or hang-up after its FIN: the write says which
            } else {
                abort(side, null); // reset after its FIN, with nothing left to write
            }
        }
    }

    private void read(SocketSide from) {
        SocketSide to = from.peer;
        for (int i = 0; i < READS_PER_EVENT; i++) {
            int n;
            try {
                n = from.socket.recvAddress(readAddress, 0, READ_BUFFER_SIZE);
            } catch (IOException | NotYetConnectedException e) {
                abort(from, e);
                return;
            }
            if (n == 0) {
                return; // nothing more for now
            }
            if (n < 0) {
                endOfStream(from);
                return;
            }
            idleActive = true;
            if (from.client) {
                bytesUp += n;
            } else {
                bytesDown += n;
            }
            deliver(to, n);
            if (finished || to.pending != null || n < READ_BUFFER_SIZE) {
                return;
            }
        }
    }

    /** Writes the {@code length} bytes just read to {@code to} (what it cannot take yet waits in its queue). */
    private void deliver(SocketSide to, int length) {
        try {
            to.send(readBuffer, readAddress, length);
        } catch (IOException | NotYetConnectedException e) {
            abort(to, e);
        }
    }

    /** {@code to} can take more: write its queue; once empty, pass on a waiting FIN and read its source again. */
    private void flush(SocketSide to) {
        idleActive = true; // a slow reader draining a big queue is not idle
        try {
            if (!to.flush()) {
                return; // full again: the next EPOLLOUT goes on
            }
        } catch (IOException | NotYetConnectedException e) {
            abort(to, e);
            return;
        }
        if (closeWhenFlushed) {
            if (clientSide.pending == null && backendSide.pending == null) {
                finish();
            }
            return;
        }
        if (to.finPending) {
            to.finPending = false;
            shutdownOutput(to);
            return;
        }
        to.peer.wantRead();
    }

    /** {@code from} sent its FIN: pass it on after what was read before it, or close both if it was the last. */
    private void endOfStream(SocketSide from) {
        from.readEnded = true;
        reason(from.client ? CloseReason.CLIENT_CLOSE : CloseReason.BACKEND_CLOSE);
        SocketSide to = from.peer;
        if (to.readEnded) {
            if (from.pending == null && to.pending == null) {
                finish();
                return;
            }
            closeWhenFlushed = true;
            closing = true;
            from.stopReading();
            return;
        }
        from.stopReading();
        if (to.pending != null) {
            to.finPending = true;
        } else {
            shutdownOutput(to);
        }
    }

    void shutdownOutput(SocketSide to) {
        try {
            to.socket.shutdown(false, true);
        } catch (IOException | NotYetConnectedException e) {
            abort(to, e); // the peer reset meanwhile (ENOTCONN)
        }
    }

    /** {@code broken} failed (reset, error): reset the other side too, so its peer knows the stream did not end cleanly. */
    void abort(SocketSide broken, Throwable cause) {
        if (finished) {
            return;
        }
        RelayLog.debugCause(broken.client ? "client {} error: {}" : "backend {} error: {}",
                broken.client ? client : backend(), cause == null ? new IOException("reset") : cause);
        reason(broken.client ? CloseReason.CLIENT_ABORT : CloseReason.BACKEND_ABORT);
        SocketSide other = broken.peer;
        if (other != null && other.socket.isOpen()) {
            try {
                other.socket.setSoLinger(0);
            } catch (IOException e) {
                // Closing it still ends the connection, with a FIN instead of a reset.
            }
        }
        finish();
    }

    // ---- the end

    @Override
    void close(CloseReason r) {
        if (held) {
            if (closeWhileHeld == null) {
                closeWhileHeld = r; // the handover's outcome decides: closed here after a resume, or not ours any more
            }
            return;
        }
        reason(r);
        finish();
    }

    @Override
    void pauseForHandover(long id, Promise<PausedConnection> result) {
        SocketHandover.pause(this, id, result);
    }

    /**
     * The descriptors to pass (the handover thread asks while the connection is held). From now on
     * another process may hold copies, whatever the outcome: closes here leave epoll first.
     */
    @Override
    int[] handoverDescriptors(boolean established) {
        sharedDescriptors = true;
        return SocketHandover.descriptors(this, established);
    }

    /** The loop is shutting down with this connection still registered (SocketSide.close). */
    void loopClosing() {
        if (held) {
            held = false; // nobody will resume it: its descriptors may be elsewhere too
            sharedDescriptors = true;
        }
        close(CloseReason.SHUTDOWN);
    }

    @Override
    void handedOverThere() {
        handedOver = true;
        held = false;
        finish();
    }

    @Override
    void resumeAfterHandover() {
        SocketHandover.resume(this);
    }

    @Override
    void shareDescriptors() {
        sharedDescriptors = true;
    }

    @Override
    long kernelQuietMillis(TcpInfoReader tcpInfo) {
        long quiet = tcpInfo.quietMillis(clientSide.socket);
        return backendSide == null ? quiet : Math.min(quiet, tcpInfo.quietMillis(backendSide.socket));
    }

    /** Closes both sockets (or, handed over, drops our share of them) and gives back what the connection held, once. */
    void finish() {
        if (finished) {
            return;
        }
        finished = true;
        closing = true;
        if (connector != null) {
            connector.stop();
        }
        if (prelude != null) {
            prelude.release();
            prelude = null;
        }
        if (idleNanos > 0) {
            IdleSweeper.on(loop).remove(this);
        }
        boolean shared = handedOver || sharedDescriptors;
        boolean endForAll = !handedOver;
        SocketSide backend = backendSide;
        clientSide.dropPending();
        if (backend != null) {
            backend.dropPending();
        }
        Runnable close = () -> { // one task for both sockets
            clientSide.release(shared, endForAll);
            if (backend != null) {
                backend.release(shared, endForAll);
            }
        };
        try {
            loop.execute(close);
        } catch (RejectedExecutionException e) {
            close.run();
        }
        ConnectionEnd.release(this, finalReason(), refusal);
    }

    /**
     * Drops {@code side}'s queue now and closes its socket once this loop pass is over (see
     * {@link SocketSide#release}); at once when the loop no longer takes tasks (it is shutting down).
     */
    void closeAfterThisPass(SocketSide side, boolean shared, boolean endForAll) {
        side.dropPending();
        try {
            loop.execute(() -> side.release(shared, endForAll));
        } catch (RejectedExecutionException e) {
            side.release(shared, endForAll);
        }
    }
}
