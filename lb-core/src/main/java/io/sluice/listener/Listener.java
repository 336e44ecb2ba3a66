package io.sluice.listener;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.Future;
import io.sluice.config.ListenerConfig;
import io.sluice.proxy.FrontendInitializer;
import io.sluice.proxy.FrontendSettings;
import io.sluice.transport.Descriptors;
import io.sluice.transport.ListeningSockets;
import io.sluice.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.OptionalInt;

/**
 * One bound listening socket and the relay settings of the connections it accepts.
 *
 * <p>Accepted channels start with AUTO_READ off (nothing is read before a backend is connected)
 * and allow half-closure (a client's FIN is passed on, not taken as the end of both directions).
 * TCP_NODELAY is not set here because Netty already enables it on every accepted socket;
 * SO_KEEPALIVE is set once on an epoll listening socket, whose accepted sockets inherit it.
 * SO_REUSEPORT is set under epoll so a later config can bind the same port while this socket
 * still accepts.
 */
public final class Listener {

    /** Pending connections the kernel queues for us; bursts of chat reconnects need a deep queue. */
    private static final int BACKLOG = 4096;

    private final ListenerConfig config;
    /** The listening channel; null when {@link #sockets} serves the socket instead. */
    private final Channel serverChannel;
    /** The socket relay's listener ({@code epoll-sockets} transport, tcp and tls listeners); else null. */
    private final SocketListener sockets;
    private final FrontendInitializer initializer;

    private Listener(ListenerConfig config, Channel serverChannel, SocketListener sockets, FrontendInitializer initializer) {
        this.config = config;
        this.serverChannel = serverChannel;
        this.sockets = sockets;
        this.initializer = initializer;
    }

    /**
     * Whether this listener's connections are relayed on bare sockets ({@link SocketListener}):
     * under a transport that does so, for tcp and tls listeners that take no PROXY header from
     * their clients (the header's decoder is a channel handler).
     */
    public static boolean onSockets(ListenerConfig config, Transport transport) {
        return transport.relaysOnSockets() && config.acceptProxyProtocol().isEmpty();
    }

    /**
     * Whether this socket can serve {@code next} (a reload) by taking its settings: it must be bound
     * where {@code next} binds, and {@code next} must be relayed the same way (a listener that
     * gains trusted PROXY headers moves from the socket relay to channels, and back).
     */
    public boolean canServe(ListenerConfig next, Transport transport) {
        return config.bind().equals(next.bind()) && (sockets != null) == onSockets(next, transport);
    }

    /**
     * Stops serving the listening socket without closing it, and returns its descriptor for a
     * listener of the other relay ({@link #adopt}): a reload that moves a listener between the
     * socket relay and channels keeps its socket, so no client waiting in its queue is lost.
     * Blocks until done; not on an event loop. This listener is not used afterwards.
     */
    public int detach() {
        if (sockets != null) {
            sockets.detach();
            return sockets.descriptor();
        }
        serverChannel.deregister().awaitUninterruptibly(); // the channel object stays open, unused: the descriptor lives on
        return Descriptors.of(serverChannel);
    }

    /** Connections accepted from now on use {@code settings} (a reload that kept this socket). */
    public void update(FrontendSettings settings) {
        initializer.update(settings);
    }

    /**
     * Binds {@code config.bind()}; blocks the calling (control) thread until bound.
     *
     * @throws BindFailedException with a one-line operator message if the address cannot be bound
     */
    public static Listener bind(ListenerConfig config, FrontendSettings settings, Transport transport, EventLoopGroup group)
            throws BindFailedException {
        refuseShared(config);
        FrontendInitializer initializer = new FrontendInitializer(settings);
        if (onSockets(config, transport)) {
            return new Listener(config, null, bindSocket(config, initializer, group), initializer);
        }
        ServerBootstrap bootstrap = bootstrap(config, initializer, transport, group)
                .channelFactory(transport::newServerChannel);
        if (transport.supportsReusePort()) {
            bootstrap.option(UnixChannelOption.SO_REUSEPORT, true);
        }
        ChannelFuture bound = bootstrap.bind(config.bind()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new BindFailedException(describe(config, bound.cause()), bound.cause());
        }
        return new Listener(config, bound.channel(), null, initializer);
    }

    /** A listening socket handed over, served by the socket relay (the options it needs set again: they may be missing). */
    private static SocketListener adoptSocket(ListenerConfig config, FrontendInitializer initializer, EventLoopGroup group,
                                              int fd) throws BindFailedException {
        Socket socket = new Socket(fd);
        try {
            socket.setKeepAlive(true);
            socket.setTcpNoDelay(true);
            return SocketListener.serve(socket, initializer, group);
        } catch (IOException e) {
            throw new BindFailedException("cannot serve listener '" + config.name() + "' on the socket handed over: "
                    + e.getMessage(), e);
        }
    }

    /** The socket relay's listening socket: the options the channel listener gets, then served on the group. */
    private static SocketListener bindSocket(ListenerConfig config, FrontendInitializer initializer, EventLoopGroup group)
            throws BindFailedException {
        Socket socket = Socket.newSocketStream(); // dual-stack where the host has IPv6, as Netty's listeners
        try {
            socket.setReuseAddress(true);
            socket.setReusePort(true);
            socket.setKeepAlive(true); // accepted sockets inherit it,
            socket.setTcpNoDelay(true); // and this too (Linux clones the listening socket's options)
            socket.bind(config.bind());
            socket.listen(BACKLOG);
            return SocketListener.serve(socket, initializer, group);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Released either way.
            }
            throw new BindFailedException(describe(config, e), e);
        }
    }

    /**
     * One owner per port: SO_REUSEPORT would let this bind share a port another live process (a
     * second Sluice, or anything else of our uid) already listens on, and take half its new
     * connections without a word. Our own sockets may overlap (a reload binds a moved listener
     * before closing the old one); a handover adopts the old process's socket instead of binding.
     */
    private static void refuseShared(ListenerConfig config) throws BindFailedException {
        ListeningSockets.Entry other = ListeningSockets.ownedByAnother(config.bind());
        if (other != null) {
            InetSocketAddress a = config.bind();
            throw new BindFailedException("cannot bind listener '" + config.name() + "' to "
                    + a.getAddress().getHostAddress() + ":" + a.getPort() + ": another process already listens on "
                    + other.address().getAddress().getHostAddress() + ":" + other.address().getPort()
                    + " (stop it first; to replace a running Sluice without dropping connections use"
                    + " 'sluice run --takeover')", null);
        }
    }

    /**
     * Serves a listening socket another process handed over (docs/handover.md): the same kernel
     * socket, with its queue of pending connections, so no client is refused. Blocks until registered.
     *
     * @throws BindFailedException if the descriptor cannot be served (the message is for the operator)
     */
    public static Listener adopt(ListenerConfig config, FrontendSettings settings, Transport transport,
                                 EventLoopGroup group, int fd) throws BindFailedException {
        FrontendInitializer initializer = new FrontendInitializer(settings);
        if (onSockets(config, transport)) {
            return new Listener(config, null, adoptSocket(config, initializer, group, fd), initializer);
        }
        ChannelFuture registered = bootstrap(config, initializer, transport, group)
                .channelFactory(() -> transport.wrapServerSocket(fd))
                .register().awaitUninterruptibly();
        if (!registered.isSuccess()) {
            throw new BindFailedException("cannot serve listener '" + config.name() + "' on the socket handed over: "
                    + registered.cause().getMessage(), registered.cause());
        }
        return new Listener(config, registered.channel(), null, initializer);
    }

    // Package-private for ListenerTest.
    static ServerBootstrap bootstrap(ListenerConfig config, FrontendInitializer initializer, Transport transport,
                                     EventLoopGroup group) {
        FrontendSettings settings = initializer.settings(); // null only in ListenerTest's option checks
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new AcceptErrors(config.name(), settings == null ? null : settings.metrics()))
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, Transport.RECEIVE_BUFFERS)
                .childHandler(initializer);
        if (!transport.acceptedSocketsInheritKeepAlive()) {
            // On epoll the listening socket has it, and accepted sockets inherit it (see Transport).
            bootstrap.childOption(ChannelOption.SO_KEEPALIVE, true);
        }
        if (transport.acceptBatches() != null) {
            // Accept in batches (a reconnect storm must not take one loop pass per client): see Transport.
            bootstrap.option(ChannelOption.RCVBUF_ALLOCATOR, transport.acceptBatches());
        }
        return bootstrap;
    }

    private static String describe(ListenerConfig config, Throwable cause) {
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        // Epoll says "bind(..) failed with error(-98): Address already in use"; the errno adds nothing for an operator.
        why = why.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
        InetSocketAddress a = config.bind();
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        String hint = why.contains("in use")
                ? "another process (or another listener) already uses this port"
                : why.contains("assign") ? "the address is not configured on this host" : "check the bind address";
        return "cannot bind listener '" + config.name() + "' to " + host + ":" + a.getPort() + ": " + why + " (" + hint + ")";
    }

    public ListenerConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** The bound address (with the real port when the config said port 0). */
    public InetSocketAddress localAddress() {
        return sockets != null ? sockets.localAddress() : (InetSocketAddress) serverChannel.localAddress();
    }

    /** The pipeline set-up of its connections (a handed-over connection in its prelude gets the same). */
    public FrontendInitializer initializer() {
        return initializer;
    }

    /** The listening socket's descriptor, to pass to another process (epoll only). */
    public int descriptor() {
        return sockets != null ? sockets.descriptor() : Descriptors.of(serverChannel);
    }

    /**
     * Stops or restarts taking connections off the socket without closing it: during a handover
     * the other process accepts from the same socket, and if it fails this one takes over again.
     */
    public void accepting(boolean on) {
        if (sockets != null) {
            sockets.accepting(on);
            return;
        }
        Transport.setAccepting(serverChannel, on);
    }

    /** How many connections wait in this socket's accept queue (anyone's to accept), if the kernel says. */
    public OptionalInt waitingToBeAccepted() {
        return ListeningSockets.acceptQueue(descriptor());
    }

    /** Stops accepting; connections already accepted are not touched. */
    public Future<?> close() {
        return sockets != null ? sockets.closeSocket() : serverChannel.close();
    }

    /** A listener could not be bound; the message is meant for the operator as is. */
    public static final class BindFailedException extends Exception {
        public BindFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
