package io.sluice.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.sluice.config.ProxyProtocolVersion;
import io.sluice.proxyprotocol.ProxyHeaders;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.sluice.backend.Backend;
import io.sluice.pool.Pool;
import io.sluice.transport.DescriptorReserve;
import io.sluice.transport.Transport;

/**
 * Connects a client's backend channel: pick, connect on the client's event loop, and on a connect
 * failure (refused, timeout) pick again among the backends not tried yet, up to the pool's
 * {@code retries} ({@link ConnectAttempts}). Then the client is closed.
 *
 * <p>Registering the backend channel on the client's own event loop is what lets the relay run
 * without locks: both channels of a connection are only ever touched by one thread.
 */
final class BackendConnector {

    private final ChannelConnection connection;
    private final FrontendSettings settings;
    private final Pool pool;
    private final ConnectAttempts attempts;

    BackendConnector(ChannelConnection connection, Pool pool) {
        this.connection = connection;
        this.settings = connection.settings();
        this.pool = pool;
        this.attempts = new ConnectAttempts(connection, pool);
    }

    void connect() {
        Pool.Selection selection = attempts.nextOrGiveUp();
        if (selection == null) {
            return;
        }
        Backend backend = selection.backend();
        SocketChannel channel;
        String noSocket = null;
        try {
            channel = settings.transport().newSocketChannel(backend.address().getAddress());
            if (DescriptorReserve.holds(channel)) {
                channel.unsafe().closeForcibly();
                noSocket = DescriptorReserve.KEPT;
            }
        } catch (ChannelException e) {
            Throwable why = e.getCause() == null ? e : e.getCause();
            channel = null;
            noSocket = why.getMessage();
        }
        if (noSocket != null) {
            attempts.noSocket(noSocket);
            return;
        }
        SocketChannelConfig config = channel.config(); // TCP_NODELAY is on already (Netty's default)
        config.setAutoRead(false);
        config.setAllowHalfClosure(true);
        config.setKeepAlive(true);
        config.setRecvByteBufAllocator(Transport.RECEIVE_BUFFERS);
        config.setConnectTimeoutMillis((int) attempts.timeoutMillis());
        channel.pipeline().addLast("relay", new BackendHandler(connection));
        EventLoop loop = connection.inbound().eventLoop();
        // On the loop already, so registration completes here; it fails only while shutting down.
        if (!loop.register(channel).isSuccess()) {
            channel.unsafe().closeForcibly();
            connection.close(CloseReason.CONNECT_FAILED);
            return;
        }
        ChannelFuture future = channel.connect(backend.address());
        connection.outbound(future.channel());
        future.addListener(f -> {
            if (connection.isClosing() || !connection.inbound().isActive()) {
                future.channel().close(); // the client left (or was closed) while we were connecting
                return;
            }
            if (f.isSuccess()) {
                attempts.succeeded(backend);
                sendProxyHeader(future.channel());
                connection.established(selection);
            } else if (attempts.failed(backend, f.cause())) {
                connect();
            } else {
                attempts.giveUp();
            }
        });
    }

    /** The PROXY protocol header goes first, before any client byte (pools with send-proxy-protocol). */
    private void sendProxyHeader(Channel outbound) {
        ProxyProtocolVersion version = pool.config().sendProxyProtocol();
        if (version == ProxyProtocolVersion.OFF) {
            return;
        }
        outbound.pipeline().addFirst(HAProxyMessageEncoder.INSTANCE);
        // Flushed at once: server-first backends answer only after the header, before any client byte.
        outbound.writeAndFlush(ProxyHeaders.header(version, connection.client(), connection.destination(), connection.serverName()),
                outbound.voidPromise());
        // Written synchronously through the encoder; relay writes need not pass it.
        outbound.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
    }
}
