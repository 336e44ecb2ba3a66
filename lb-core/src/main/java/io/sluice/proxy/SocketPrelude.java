package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.tls.HelloRefused;
import io.sluice.tls.HelloRouting;
import io.sluice.tls.HelloVerdict;
import io.sluice.tls.PoolChosen;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.util.concurrent.TimeUnit;

/**
 * The time before the backend of a socket-relayed connection on a tls listener is connected: the
 * client's socket is already in the epoll set, its bytes are read into one buffer of this
 * connection, and {@link HelloRouting} judges them until it names a pool (then the backend
 * connect starts, and what the client sends meanwhile is held too) or refuses the connection
 * (one TLS alert when it means something, then the close). Once the backend is connected, the
 * connection writes every held byte to it first, unchanged ({@link #takeHeld}).
 *
 * <p>The same rules as the channel relay's {@code ClientHelloSniffer}: client-hello-timeout,
 * max-client-hello, no-sni, the not-TLS pool, server-first-timeout; the verdicts are
 * {@link HelloRouting}'s, so both relays refuse and count alike. Bounds: at most
 * {@link #HOLD_LIMIT} bytes are held (beyond it the kernel keeps them: the client's socket is
 * not read until the backend takes these), and two timers.
 *
 * <p>A handover in the middle of the hello stops the timers and sends the held bytes as the
 * prelude to replay ({@link SocketHandover}); if this process keeps the connection after all, the
 * timers start afresh, as with channels.
 *
 * <p>Confined to the connection's event loop.
 */
final class SocketPrelude {

    /** Most client bytes held before the backend is connected (as the channel relay holds). */
    static final int HOLD_LIMIT = 256 * 1024;
    /** What one read asks for at least; a ClientHello is usually under 2 KiB. */
    private static final int READ_CHUNK = 4096;

    private final SocketConnection connection;
    private final HelloRouting routing;
    private ByteBuf received;
    private ScheduledFuture<?> helloTimeout;
    private ScheduledFuture<?> serverFirstTimeout;
    /** A pool was chosen (the backend is being connected) or the connection refused. */
    private boolean decided;

    SocketPrelude(SocketConnection connection, HelloRouting routing) {
        this.connection = connection;
        this.routing = routing;
        this.received = ByteBufAllocator.DEFAULT.directBuffer(READ_CHUNK, HOLD_LIMIT);
    }

    /** Still reading the ClientHello: a handover may move the connection with its bytes to replay. */
    boolean inHello() {
        return !decided && !connection.clientSide.readEnded;
    }

    void startTimers() {
        if (helloTimeout != null || decided) {
            return;
        }
        helloTimeout = connection.loop().schedule(() -> {
            if (!decided && !connection.finished && !connection.held) {
                apply(routing.timedOut());
            }
        }, routing.config().clientHelloTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (routing.waitsForServerFirst()) {
            serverFirstTimeout = connection.loop().schedule(() -> {
                if (!decided && !connection.finished && !connection.held && received.readableBytes() == 0) {
                    apply(routing.serverFirst());
                }
            }, routing.config().serverFirstTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    void stopTimers() {
        if (helloTimeout != null) {
            helloTimeout.cancel(false);
            helloTimeout = null;
        }
        if (serverFirstTimeout != null) {
            serverFirstTimeout.cancel(false);
            serverFirstTimeout = null;
        }
    }

    /** The client's socket is ready before its backend is connected: read it, and judge what it sent. */
    void clientReady() {
        SocketSide side = connection.clientSide;
        if (side.readEnded) {
            return; // its FIN is read: nothing more to read; the relay passes it on once connected
        }
        while (true) {
            if (received.readableBytes() >= HOLD_LIMIT) {
                side.stopReading(); // the kernel holds the rest until the backend takes these
                return;
            }
            int room = Math.min(Math.max(received.writableBytes(), READ_CHUNK), HOLD_LIMIT - received.readableBytes());
            received.ensureWritable(room);
            int n;
            try {
                n = receive(side.socket, received, room);
            } catch (IOException | NotYetConnectedException e) {
                connection.abort(side, e);
                return;
            }
            if (n == 0) {
                return;
            }
            if (n < 0) {
                endOfStream(side);
                return;
            }
            connection.idleActive = true;
            if (!decided) {
                if (serverFirstTimeout != null) {
                    serverFirstTimeout.cancel(false);
                    serverFirstTimeout = null;
                }
                HelloVerdict verdict = routing.judge(received);
                if (verdict != null) {
                    apply(verdict);
                    if (connection.finished || received == null) {
                        return; // refused, or routed and connected at once (the held bytes went)
                    }
                }
            }
            if (n < room) {
                return; // the socket is empty for now
            }
        }
    }

    private static int receive(Socket socket, ByteBuf into, int length) throws IOException {
        int n;
        if (into.hasMemoryAddress()) {
            n = socket.recvAddress(into.memoryAddress(), into.writerIndex(), into.writerIndex() + length);
        } else {
            ByteBuffer nio = into.internalNioBuffer(into.writerIndex(), length);
            n = socket.recv(nio, nio.position(), nio.limit());
        }
        if (n > 0) {
            into.writerIndex(into.writerIndex() + n);
        }
        return n;
    }

    /**
     * The client sent its FIN. In the middle of its hello the hello can never complete: the
     * connection ends now (the channel relay waits for the hello timeout instead). Once routed,
     * the FIN goes on to the backend after the held bytes.
     */
    private void endOfStream(SocketSide side) {
        side.readEnded = true;
        connection.reason(CloseReason.CLIENT_CLOSE);
        if (!decided) {
            decided = true;
            stopTimers();
            connection.close(CloseReason.CLIENT_CLOSE);
            return;
        }
        side.stopReading();
    }

    private void apply(HelloVerdict verdict) {
        decided = true;
        stopTimers();
        if (verdict instanceof PoolChosen chosen) {
            connection.routedTo(chosen);
            return;
        }
        HelloRefused refused = (HelloRefused) verdict;
        connection.tlsRefused(refused.serverName(), refused.reason().word());
        if (refused.alert() != 0) {
            ByteBuf record = refused.alertRecord();
            try {
                connection.clientSide.send(record); // seven bytes to a fresh socket: written at once
            } catch (IOException | NotYetConnectedException e) {
                // The client is gone already; the close below ends it either way.
            } finally {
                record.release();
            }
        }
        connection.close(CloseReason.TLS_REFUSED);
    }

    /** A copy of every byte held, for a handover in the middle of the hello (the caller owns it). */
    ByteBuf copyHeld() {
        return received.copy();
    }

    /** The held bytes, given to the caller to write to the backend first (the caller releases them). */
    ByteBuf takeHeld() {
        ByteBuf bytes = received;
        received = null;
        return bytes;
    }

    /** The connection ended before its backend was connected: the timers and the held bytes go. */
    void release() {
        stopTimers();
        decided = true;
        if (received != null) {
            received.release();
            received = null;
        }
    }
}
