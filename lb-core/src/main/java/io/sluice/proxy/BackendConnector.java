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
import io.netty.channel.ConnectTimeoutException;
import io.sluice.backend.Backend;
import io.sluice.logging.ThrottledLog;
import io.sluice.pool.Pool;
import io.sluice.transport.DescriptorReserve;
import io.sluice.transport.Transport;
import io.sluice.sticky.StickyKey;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Connects a client's backend side: pick, connect on the client's event loop, and on a connect
 * failure (refused, timeout) pick again among the backends not tried yet, up to the pool's
 * {@code retries}. Then the client is closed.
 *
 * <p>Registering the backend channel on the client's own event loop is what lets the relay run
 * without locks: both channels of a connection are only ever touched by one thread.
 */
final class BackendConnector {

    private static final ThrottledLog noBackendLog =
            new ThrottledLog(LoggerFactory.getLogger(BackendConnector.class), TimeUnit.SECONDS.toNanos(10));

    private final Connection connection;
    private final FrontendSettings settings;
    private final Pool pool;
    private final StickyKey key;
    private final List<Backend> tried = new ArrayList<>(2);
    private final int connectTimeoutMillis;

    BackendConnector(Connection connection, Pool pool) {
        this.connection = connection;
        this.settings = connection.settings();
        this.pool = pool;
        this.key = pool.keyOf(connection.client().getAddress());
        this.connectTimeoutMillis = (int) pool.config().connectTimeout().toMillis();
    }

    void connect() {
        Pool.Selection selection = pool.pick(key, tried);
        if (selection == null) {
            giveUp();
            return;
        }
        Backend backend = selection.backend();
        SocketChannel channel;
        String noSocket = null;
        try {
            channel = settings.transport().newSocketChannel(backend.address().getAddress());
            if (DescriptorReserve.holds(channel)) {
                channel.unsafe().closeForcibly();
                noSocket = "only the descriptors kept for the admin API and health checks are free";
            }
        } catch (ChannelException e) {
            Throwable why = e.getCause() == null ? e : e.getCause();
            channel = null;
            noSocket = why.getMessage();
        }
        if (noSocket != null) {
            // No descriptor for a new socket (EMFILE under a flood, or the reserve reached): not the
            // backend's fault, so neither a connect failure for passive health nor a retry on another backend.
            noBackendLog.warn("listener '{}': cannot open a socket to a backend ({}); closing client {}",
                    settings.listener(), noSocket, connection.client());
            settings.metrics().refused(settings.listener(), CloseReason.CONNECT_FAILED.word());
            connection.close(CloseReason.CONNECT_FAILED);
            return;
        }
        SocketChannelConfig config = channel.config(); // TCP_NODELAY is on already (Netty's default)
        config.setAutoRead(false);
        config.setAllowHalfClosure(true);
        config.setKeepAlive(true);
        config.setRecvByteBufAllocator(Transport.RECEIVE_BUFFERS);
        config.setConnectTimeoutMillis(connectTimeoutMillis);
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
                settings.connects().connectSucceeded(pool, backend);
                sendProxyHeader(future.channel());
                connection.established(selection);
                return;
            }
            settings.metrics().connectFailed(pool.name(), backend.name(), failureWord(f.cause()));
            settings.connects().connectFailed(pool, backend);
            RelayLog.debugCause("connect to {} failed: {}", backend, f.cause());
            tried.add(backend);
            backend.state().connectFailed(tried.size() <= pool.config().retries());
            if (tried.size() <= pool.config().retries()) {
                connect();
            } else {
                giveUp();
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

    private void giveUp() {
        CloseReason reason = tried.isEmpty() ? CloseReason.NO_BACKEND : CloseReason.CONNECT_FAILED;
        settings.metrics().refused(settings.listener(), reason.word());
        if (reason == CloseReason.NO_BACKEND) {
            noBackendLog.warn("listener '{}': pool '{}' has no eligible backend; closing client {}",
                    settings.listener(), pool.name(), connection.client());
        } else {
            noBackendLog.warn("listener '{}': pool '{}': every connect attempt failed ({}); closing client {}",
                    settings.listener(), pool.name(), tried, connection.client());
        }
        connection.close(reason);
    }

    private static String failureWord(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "timeout";
        }
        if (cause instanceof ConnectException) {
            return "refused";
        }
        return "error";
    }
}
