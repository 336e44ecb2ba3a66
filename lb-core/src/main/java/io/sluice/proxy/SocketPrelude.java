package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.pool.Pool;
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
 * connect starts) or refuses the connection (one TLS alert when it means something, then the
 * close). Once the backend is connected, the connection writes the held bytes to it first,
 * unchanged ({@link #sendHeld}), and the relay reads the client from there on.
 *
 * <p>The same rules as the channel relay's {@code ClientHelloSniffer}: client-hello-timeout,
 * max-client-hello, no-sni, the not-TLS pool, server-first-timeout; the verdicts are
 * {@link HelloRouting}'s, so both relays refuse and count alike. Bounds: what the parser accepts
 * before it refuses a hello as too large (plus one read), and two timers. Nothing more is read
 * once a pool is chosen: if the client sends more while its backend connects, its socket stops
 * being read (one {@code epoll_ctl}, only then) and the kernel holds the bytes, as on a tcp
 * listener. A TLS client sends nothing more before the server's answer, so its interest is
 * changed only when the backend is connected and it still is what the relay needs.
 *
 * <p>A handover in the middle of the hello stops the timers and sends the held bytes as the
 * prelude to replay ({@link SocketHandover}); if this process keeps the connection after all, the
 * timers start afresh, as with channels.
 *
 * <p>Confined to the connection's event loop.
 */
final class SocketPrelude {

    /**
     * Most bytes the buffer may hold: above the parser's largest bound (a 64 KiB hello and its
     * record headers, {@code ClientHelloParser.bufferLimit}) plus one read, so the parser refuses
     * a hello as too large before this is reached.
     */
    static final int HOLD_LIMIT = 128 * 1024;
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
        if (decided || side.readEnded) {
            // Routed (or its FIN is in): the rest waits in the kernel until the backend is
            // connected, and the relay reads it, or the error, from there.
            side.stopReading();
            return;
        }
        while (true) {
            int room = Math.min(Math.max(received.writableBytes(), READ_CHUNK), HOLD_LIMIT - received.readableBytes());
            if (room <= 0) {
                side.stopReading(); // unreachable: the parser refuses long before
                return;
            }
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
            if (serverFirstTimeout != null) {
                serverFirstTimeout.cancel(false);
                serverFirstTimeout = null;
            }
            HelloVerdict verdict = routing.judge(received);
            if (verdict != null) {
                apply(verdict);
                return;
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
     * The client sent its FIN before its hello was complete, so the hello never will be: the
     * connection ends now (the channel relay notices only at the hello timeout). Except where a
     * silent client goes to the not-TLS pool (server-first): one that closed its side without a
     * byte can only be waiting for the server's greeting, so it goes there now, and its FIN goes on
     * to that server once connected, as the channel relay does after server-first-timeout.
     */
    private void endOfStream(SocketSide side) {
        side.readEnded = true;
        side.stopReading();
        connection.reason(CloseReason.CLIENT_CLOSE);
        if (received.readableBytes() == 0 && routing.waitsForServerFirst()) {
            apply(routing.serverFirst());
            return;
        }
        decided = true;
        stopTimers();
        connection.close(CloseReason.CLIENT_CLOSE);
    }

    private void apply(HelloVerdict verdict) {
        decided = true;
        stopTimers();
        if (verdict instanceof PoolChosen chosen) {
            Pool pool = connection.settings().pools().get(chosen.pool());
            if (pool == null) { // config validation makes this unreachable; never fail silently
                connection.refuse(CloseReason.NO_BACKEND);
                return;
            }
            connection.bytesUp += received.readableBytes(); // counted once held, as the channel relay counts them
            connection.routed(pool, chosen.serverName());
            connection.connect(pool);
            return;
        }
        HelloRefused refused = (HelloRefused) verdict;
        connection.tlsRefused(refused.serverName(), refused.reason().word());
        if (refused.alert() != 0) {
            ByteBuf record = refused.alertRecord();
            try {
                // Seven bytes to a socket that has sent us only its hello: written at once. Were
                // they queued instead, the close below would drop them (and only the alert).
                connection.clientSide.send(record);
            } catch (IOException | NotYetConnectedException e) {
                // The client is gone already; the close below ends it either way.
            } finally {
                record.release();
            }
        }
        connection.close(CloseReason.TLS_REFUSED);
    }

    /** How many bytes are held now (for tests of the bound). */
    int heldBytes() {
        return received == null ? 0 : received.readableBytes();
    }

    /** A copy of every byte held, for a handover in the middle of the hello (the caller owns it). */
    ByteBuf copyHeld() {
        return received.copy();
    }

    /**
     * The backend is connected: the held bytes go to it first (nothing for a server-first client),
     * then the client's FIN if it came; from now on the relay reads the client.
     */
    void sendHeld() {
        ByteBuf bytes = received;
        received = null;
        SocketSide backend = connection.backendSide;
        try {
            if (bytes.isReadable()) {
                backend.send(bytes);
            }
        } catch (IOException | NotYetConnectedException e) {
            connection.abort(backend, e);
            return;
        } finally {
            bytes.release();
        }
        SocketSide client = connection.clientSide;
        if (!client.readEnded) {
            client.wantRead();
        } else if (backend.pending != null) {
            backend.finPending = true;
        } else {
            connection.shutdownOutput(backend);
        }
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
