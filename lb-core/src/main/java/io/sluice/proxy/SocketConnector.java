package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.backend.Backend;
import io.sluice.config.ProxyProtocolVersion;
import io.sluice.pool.Pool;
import io.sluice.proxyprotocol.ProxyHeaders;
import io.sluice.transport.DescriptorReserve;
import io.sluice.transport.StreamSockets;
import java.io.IOException;
import java.nio.channels.NotYetConnectedException;
import java.util.concurrent.TimeUnit;

/**
 * Connects a {@link SocketConnection}'s backend: a socket of the backend's family (TCP_NODELAY,
 * SO_KEEPALIVE), a non-blocking connect watched for EPOLLOUT, the pool's connect-timeout as a task
 * on the loop, and on a failure the next backend ({@link ConnectAttempts}: the picks, retries and
 * counts the channel relay's {@link BackendConnector} makes). Once connected, the backend's
 * interest turns to reading in one change, the PROXY header goes first (pools with
 * send-proxy-protocol), and the connection starts relaying ({@link SocketConnection#established}).
 *
 * <p>Event loop of its connection only.
 */
final class SocketConnector {

    private static final int IN = EpollIoOps.EPOLLIN.value();

    private final SocketConnection connection;
    private final ConnectAttempts attempts;
    /** The backend being connected to. */
    private Pool.Selection connecting;
    private ScheduledFuture<?> timeout;

    SocketConnector(SocketConnection connection, ConnectAttempts attempts) {
        this.connection = connection;
        this.attempts = attempts;
    }

    void connect() {
        Pool.Selection selection = attempts.nextOrGiveUp();
        if (selection == null) {
            return;
        }
        Backend backend = selection.backend();
        Socket socket;
        try {
            socket = StreamSockets.forTarget(backend.address().getAddress());
        } catch (RuntimeException e) { // Netty reports a failed socket() (EMFILE) as a ChannelException
            attempts.noSocket(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            return;
        }
        if (DescriptorReserve.holds(socket.intValue())) {
            try {
                socket.close();
            } catch (IOException e) {
                // Released either way.
            }
            attempts.noSocket(DescriptorReserve.KEPT);
            return;
        }
        SocketSide side = new SocketSide(connection, socket, false);
        side.peer = connection.clientSide;
        connection.clientSide.peer = side;
        connection.backendSide = side;
        connecting = selection;
        boolean connected;
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            if (!side.register(connection.ioLoop())) {
                connection.close(CloseReason.CONNECT_FAILED); // the epoll handler refused it
                return;
            }
            connected = socket.connect(backend.address());
        } catch (IOException e) {
            failed(e);
            return;
        }
        if (connected) {
            connected();
            return;
        }
        side.wantWrite(); // writable once connected, or an error once refused
        timeout = connection.loop().schedule(this::timedOut, attempts.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    /** The backend's socket is writable, or has an error: the connect's outcome. */
    void ready() {
        try {
            if (!connection.backendSide.socket.finishConnect()) {
                return; // still in progress
            }
        } catch (IOException e) {
            failed(e);
            return;
        }
        connected();
    }

    /** The connection ended while connecting: the timeout goes (the socket closes with the connection). */
    void stop() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    private void timedOut() {
        timeout = null;
        if (connecting != null && !connection.finished) {
            failed(new ConnectTimeoutException("connection timed out after " + attempts.timeoutMillis()
                    + " ms: " + connecting.backend().address()));
        }
    }

    private void failed(Throwable cause) {
        stop();
        Backend backend = connecting.backend();
        connecting = null;
        connection.backendSide.peer = null; // an event of this pass for it is ignored (SocketConnection.ready)
        connection.closeAfterThisPass(connection.backendSide, false, false);
        connection.backendSide = null;
        connection.clientSide.peer = null;
        if (attempts.failed(backend, cause)) {
            connect();
        } else {
            attempts.giveUp();
        }
    }

    private void connected() {
        stop();
        Pool.Selection selection = connecting;
        connecting = null;
        attempts.succeeded(selection.backend());
        connection.selected(selection);
        connection.backendSide.interest(IN); // from EPOLLOUT (connecting) to reading, in one change
        sendProxyHeader();
        if (!connection.finished) {
            connection.established();
        }
    }

    /** The PROXY protocol header goes first, before any client byte (pools with send-proxy-protocol). */
    private void sendProxyHeader() {
        ProxyProtocolVersion version = attempts.pool().config().sendProxyProtocol();
        if (version == ProxyProtocolVersion.OFF) {
            return;
        }
        ByteBuf encoded = ProxyHeaders.encoded(ProxyHeaders.header(version, connection.client(), connection.destination(),
                connection.serverName()));
        ByteBuf header = encoded;
        if (!encoded.isDirect()) { // a socket writes from native memory (the encoder may give a heap buffer)
            header = ByteBufAllocator.DEFAULT.directBuffer(encoded.readableBytes()).writeBytes(encoded);
            encoded.release();
        }
        try {
            connection.backendSide.send(header);
        } catch (IOException | NotYetConnectedException e) {
            connection.abort(connection.backendSide, e);
        } finally {
            header.release();
        }
    }
}
