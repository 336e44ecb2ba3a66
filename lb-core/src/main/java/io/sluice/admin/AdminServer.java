package io.sluice.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.sluice.listener.AcceptErrors;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.transport.Descriptors;
import io.sluice.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The admin HTTP/1.1 server: the JSON API of docs/admin-api.md, the status page, /metrics,
 * /healthz and /readyz.
 *
 * <p>Pipeline per connection: {@code IdleStateHandler} (10 s without traffic closes) →
 * {@code HttpServerCodec} → {@link BodyLimitAggregator} (64 KiB, else 413) → {@link AdminHttpHandler}.
 * The first three run on the connection's event loop and never block. The last runs on this
 * server's own {@link DefaultEventExecutorGroup} ({@value #ADMIN_THREADS} threads named
 * {@code sluice-admin-*}), because {@link AdminOperations} may block briefly; a slow admin call
 * therefore never delays the relay on the shared event loops. A request whose Host is not in
 * {@link AllowedHosts} is answered 421 before it reaches the router.
 *
 * <p>Descriptors: at most {@link #MAX_CONNECTIONS} connections (a new one closes the oldest). Its
 * connections may use the descriptors the data plane leaves in reserve ({@code DescriptorReserve});
 * when even those are gone, a failed accept closes the oldest admin connection and retries 20 ms
 * later ({@link AcceptErrors}).
 *
 * <p>Lifecycle: {@link #start} binds (blocking until bound), {@link #close} unbinds, closes open
 * admin connections and stops the admin threads; safe to call twice. Neither may be called from an
 * event loop.
 */
public final class AdminServer implements AutoCloseable {

    static final int MAX_BODY_BYTES = 64 * 1024;
    /** Short: an idle admin connection only holds a descriptor (curl, sluicectl and scrapers reconnect). */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Admin connections held at once. The admin API must stay reachable however many connections
     * idle there (anyone who can reach the port can open them), and must not eat the descriptors
     * the data plane and health checks need: a connection beyond the cap closes the oldest one.
     */
    public static final int MAX_CONNECTIONS = 64;
    private static final int ADMIN_THREADS = 2;

    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final EventExecutorGroup executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(Channel serverChannel, ChannelGroup connections, EventExecutorGroup executor) {
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.executor = executor;
    }

    /**
     * Binds the admin API to {@code bind} on {@code group}'s event loops, answering the default Host
     * names (tests).
     *
     * @param tokenOrNull the bearer token of mutating calls (the token file's content; stripped here),
     *                    or null/blank: every POST is refused with 401
     * @throws BindFailedException with a one-line operator message if the address cannot be bound
     */
    static AdminServer start(InetSocketAddress bind, AdminOperations ops, String tokenOrNull,
            Transport transport, EventLoopGroup group) throws BindFailedException {
        return start(bind, List.of(), ops, tokenOrNull, transport, group, IDLE_TIMEOUT, -1);
    }

    /** {@link #start} with another idle timeout (tests). */
    static AdminServer start(InetSocketAddress bind, AdminOperations ops, String tokenOrNull,
            Transport transport, EventLoopGroup group, Duration idleTimeout) throws BindFailedException {
        return start(bind, List.of(), ops, tokenOrNull, transport, group, idleTimeout, -1);
    }

    /**
     * Serves the admin API on a listening socket another process handed over (docs/handover.md),
     * or binds {@code bind} when {@code inheritedFd} is negative.
     *
     * @param allowedHosts the Host names it answers ({@code admin.allowed-hosts}: {@code name},
     *                     {@code name:port} or {@code *}); empty for the defaults
     * @param tokenOrNull  the bearer token of mutating calls (the token file's content; stripped here),
     *                     or null/blank: every POST is refused with 401
     * @throws BindFailedException with a one-line operator message if the address cannot be bound
     */
    public static AdminServer start(InetSocketAddress bind, List<String> allowedHosts, AdminOperations ops,
            String tokenOrNull, Transport transport, EventLoopGroup group, int inheritedFd) throws BindFailedException {
        return start(bind, allowedHosts, ops, tokenOrNull, transport, group, IDLE_TIMEOUT, inheritedFd);
    }

    private static AdminServer start(InetSocketAddress bind, List<String> allowedHosts, AdminOperations ops,
            String tokenOrNull, Transport transport, EventLoopGroup group, Duration idleTimeout, int inheritedFd)
            throws BindFailedException {
        Objects.requireNonNull(bind, "bind");
        AdminRouter router = new AdminRouter(ops, new BearerAuth(tokenOrNull), StatusPage.load());
        AdminHttpHandler handler = new AdminHttpHandler(router, AllowedHosts.of(allowedHosts, bind));
        EventExecutorGroup executor = new DefaultEventExecutorGroup(ADMIN_THREADS, new DefaultThreadFactory("sluice-admin", true));
        ChannelGroup connections = new DefaultChannelGroup("sluice-admin", GlobalEventExecutor.INSTANCE);
        Deque<Channel> byAge = new ConcurrentLinkedDeque<>();
        long idleMillis = idleTimeout.toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(AcceptErrors.forAdmin(() -> {
                    Channel oldest = byAge.poll();
                    if (oldest == null) {
                        return false;
                    }
                    oldest.close();
                    return true;
                }))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        byAge.add(ch);
                        ch.closeFuture().addListener(f -> byAge.remove(ch));
                        while (byAge.size() > MAX_CONNECTIONS) {
                            Channel oldest = byAge.poll();
                            if (oldest != null && oldest != ch) {
                                oldest.close();
                            }
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                                .addLast("http", new HttpServerCodec())
                                .addLast("aggregate", new BodyLimitAggregator(MAX_BODY_BYTES))
                                .addLast(executor, "admin", handler);
                    }
                });
        ChannelFuture bound = inheritedFd >= 0
                ? bootstrap.channelFactory(() -> transport.wrapServerSocket(inheritedFd)).register().awaitUninterruptibly()
                : bootstrap.channel(transport.serverChannelClass()).bind(bind).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            executor.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new BindFailedException(describe(bind, bound.cause()), bound.cause());
        }
        return new AdminServer(bound.channel(), connections, executor);
    }

    private static String describe(InetSocketAddress a, Throwable cause) {
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        // Epoll says "bind(..) failed with error(-98): Address already in use"; the errno adds nothing for an operator.
        why = why.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        String hint = why.contains("in use")
                ? "another process (or a listener) already uses this port"
                : why.contains("assign") ? "the address is not configured on this host" : "check admin.bind";
        return "cannot bind the admin API to " + host + ":" + a.getPort() + ": " + why + " (" + hint + ")";
    }

    /** The listening socket's descriptor, to pass to another process (epoll only). */
    public int descriptor() {
        return Descriptors.of(serverChannel);
    }

    /** Stops or restarts taking admin connections off the socket, without closing it (handover). */
    public void accepting(boolean on) {
        Transport.setAccepting(serverChannel, on);
    }

    /** The bound address (with the real port when bound to port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Unbinds, closes open admin connections and stops the admin threads; blocks up to a few seconds. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        serverChannel.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly();
        // The quiet period lets the closed connections' pipelines remove the handler on its executor.
        executor.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).awaitUninterruptibly();
    }

    /** The admin address could not be bound; the message is meant for the operator as is. */
    public static final class BindFailedException extends Exception {
        BindFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
