package io.sluice.transport;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport: native epoll where the platform has it, with tcp and tls listeners on the
 * socket relay ({@link #EPOLL_SOCKETS}; {@link #EPOLL} keeps every listener on Netty channels, and
 * io_uring is there on request), else Java NIO.
 *
 * <p>Both native transports give SO_REUSEPORT (listeners can move between configs without refusing
 * connections) and TCP_INFO (the idle sweeper asks it). NIO keeps the daemon usable on platforms
 * without the native libraries, at some cost, so choosing it is logged as a warning rather than
 * failing. io_uring channels wait for input with one-shot polls ({@link IoUringLevelPoll}): with
 * Netty 4.2.18's multishot polls a client's reset could go unnoticed.
 */
public enum Transport {
    /** Every listener on Netty's epoll channels ({@code -Dsluice.transport=epoll}; the default before the socket relay). */
    EPOLL {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannelClass() {
            return EpollServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return EpollSocketChannel.class;
        }

        @Override
        public SocketChannel newSocketChannel(InetAddress target) {
            return new EpollSocketChannel(familyOf(target));
        }

        @Override
        public boolean supportsHandover() {
            return true;
        }

        @Override
        public SocketChannel wrapSocket(int fd) {
            return new EpollSocketChannel(fd);
        }

        @Override
        public ServerChannel wrapServerSocket(int fd) {
            return keepAliveInherited(new EpollServerSocketChannel(fd));
        }

        @Override
        public ServerChannel newServerChannel() {
            return keepAliveInherited(new EpollServerSocketChannel());
        }

        @Override
        public boolean acceptedSocketsInheritKeepAlive() {
            return true;
        }

        @Override
        public RecvByteBufAllocator acceptBatches() {
            return EPOLL_ACCEPTS;
        }
    },
    /**
     * The default ({@code -Dsluice.transport=epoll-sockets}): epoll, with the connections of tcp
     * and tls listeners relayed on their bare sockets instead of Netty channels
     * ({@code SocketConnection}); every other socket (listeners that take PROXY headers, the admin
     * API, health checks) is EPOLL's.
     * Handovers work as on EPOLL: connections relayed on sockets are passed with the same image,
     * and the receiving process adopts them (with channels).
     */
    EPOLL_SOCKETS {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EPOLL.ioHandlerFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannelClass() {
            return EPOLL.serverChannelClass();
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return EPOLL.socketChannelClass();
        }

        @Override
        public SocketChannel newSocketChannel(InetAddress target) {
            return EPOLL.newSocketChannel(target);
        }

        @Override
        public ServerChannel newServerChannel() {
            return EPOLL.newServerChannel();
        }

        @Override
        public boolean acceptedSocketsInheritKeepAlive() {
            return true;
        }

        @Override
        public RecvByteBufAllocator acceptBatches() {
            return EPOLL.acceptBatches();
        }

        @Override
        public boolean relaysOnSockets() {
            return true;
        }

        @Override
        public boolean supportsHandover() {
            return true;
        }

        @Override
        public SocketChannel wrapSocket(int fd) {
            return EPOLL.wrapSocket(fd);
        }

        @Override
        public ServerChannel wrapServerSocket(int fd) {
            return EPOLL.wrapServerSocket(fd);
        }
    },
    /** Opt-in (see {@link #detect}): submission batching instead of a syscall per operation. */
    IO_URING {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannelClass() {
            return IoUringServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return IoUringSocketChannel.class;
        }

        @Override
        public SocketChannel newSocketChannel(InetAddress target) {
            return new IoUringSocketChannel(); // no per-family constructor in Netty's io_uring
        }
    },
    NIO {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannelClass() {
            return NioServerSocketChannel.class;
        }

        @Override
        public Class<? extends SocketChannel> socketChannelClass() {
            return NioSocketChannel.class;
        }

        @Override
        public SocketChannel newSocketChannel(InetAddress target) {
            return new NioSocketChannel(SelectorProvider.provider(), familyOf(target));
        }
    };

    static {
        // Before anything loads Netty's IoUring class, which reads its switches once.
        IoUringLevelPoll.apply();
    }

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    /**
     * The receive-buffer sizing policy of every relayed socket: adaptive (64 B to 64 KiB, grows
     * after full reads, shrinks after small ones), one instance for all of them. Each channel keeps
     * only its own small handle; Netty's default is a new policy object per channel, 32 bytes a
     * socket for nothing on a node that holds tens of thousands of idle chat connections.
     * Whatever it is, its reads per event must stay at 16 (see {@link #receiveBuffers}).
     */
    public static final RecvByteBufAllocator RECEIVE_BUFFERS = receiveBuffers();

    private static RecvByteBufAllocator receiveBuffers() {
        AdaptiveRecvByteBufAllocator allocator = new AdaptiveRecvByteBufAllocator();
        // 16 reads per readiness event, what Netty gives a stream channel's own allocator. A bare
        // AdaptiveRecvByteBufAllocator allows one: every further read of a busy socket then waits
        // for the loop's next pass over all the other ready sockets.
        allocator.maxMessagesPerRead(16);
        return allocator;
    }

    /**
     * Most connections a listener accepts per readiness event before the loop serves other sockets:
     * a quarter of the listen backlog (4096), so a full accept queue drains in four passes.
     *
     * <p>Why this many: one pass of a Netty event loop serves every ready socket, and with thousands
     * of connections that pass is long. At 16 per pass, 5000 keep-alive clients connecting at once
     * waited in the kernel's accept queue behind passes that served the clients accepted before
     * them: the last ones were accepted more than 2 s after they connected, and wrk counted 808 to
     * 2188 timeouts in 6 of 7 runs; at 1024 per pass none in 7 runs, unbounded none in 7
     * ({@code bench/compare.sh --only keepalive --conns 5000}, docs/performance.md "Round 5").
     * HAProxy takes only 4 per wake-up, but its passes stop at 200 events (tune.maxpollevents), so
     * its listener gets its turn often; Netty has no such bound. The bound here keeps a flood of new
     * connections from holding the loop away from established ones for more than a pass.
     */
    public static final int ACCEPTS_PER_EVENT = 1024;

    /**
     * Netty 4.2's epoll listener accepts one connection per readiness event, not the 16 its
     * metadata asks for: its loop goes on only while "more data may be there", which for a listener
     * it tests as {@code fd == 1} (the accepted descriptor compared with the one "byte" it tried to
     * read), true for no real descriptor. Since 4.2 dropped edge-triggered epoll nothing else keeps
     * that loop going. So every accept waits for a whole event-loop pass over all the ready sockets:
     * with 500 keep-alive clients connecting at once, the last was accepted 2.5 s after the first and
     * its first request waited that long (measured: accept4 once per epoll_pwait2 under strace, and
     * the access log's per-connection ages; docs/performance.md). Ignoring that guess, the listener
     * accepts until accept says EAGAIN or {@link #ACCEPTS_PER_EVENT} connections were taken.
     */
    private static final RecvByteBufAllocator EPOLL_ACCEPTS =
            new ServerChannelRecvByteBufAllocator().respectMaybeMoreData(false).maxMessagesPerRead(ACCEPTS_PER_EVENT);

    /**
     * The policy of a listening socket's accept loop ({@code ChannelOption.RCVBUF_ALLOCATOR} of the
     * server channel), or null for the transport's own, which accepts in batches already.
     */
    public RecvByteBufAllocator acceptBatches() {
        return null;
    }

    /**
     * SO_KEEPALIVE on a listening socket: Linux copies it to every socket the listener accepts (the
     * accepted socket is a clone of the listening one, and TCP arms its keepalive timer when the
     * flag came along), so the relay need not set it on each accepted socket (one setsockopt per
     * connection saved; {@code ListenerKeepAliveTest} checks the accepted socket through getsockopt).
     * TCP_NODELAY is inherited too, but Netty sets it on every socket it wraps anyway.
     */
    private static EpollServerSocketChannel keepAliveInherited(EpollServerSocketChannel listening) {
        try {
            ((Socket) listening.fd()).setKeepAlive(true);
        } catch (IOException e) {
            listening.unsafe().closeForcibly();
            throw new ChannelException("cannot set SO_KEEPALIVE on a listening socket", e);
        }
        return listening;
    }

    abstract IoHandlerFactory ioHandlerFactory();

    /** A new, unbound listening channel of this transport. */
    public ServerChannel newServerChannel() {
        return new ReflectiveChannelFactory<>(serverChannelClass()).newChannel();
    }

    /**
     * Whether the sockets {@link #newServerChannel} and {@link #wrapServerSocket} listeners accept
     * have SO_KEEPALIVE on already (set once on the listening socket); else each accepted socket needs it.
     */
    public boolean acceptedSocketsInheritKeepAlive() {
        return false;
    }

    public abstract Class<? extends ServerChannel> serverChannelClass();

    public abstract Class<? extends SocketChannel> socketChannelClass();

    /**
     * A new, unregistered client socket channel. The relay opens backend connections with this
     * rather than a {@code Bootstrap}: a bootstrap per connection copies option maps and goes
     * through the address resolver for an address that is already resolved. The socket's family
     * is the target's: an IPv4 backend gets an IPv4 socket, not a dual-stack IPv6 one (which costs
     * an extra setsockopt per connection and maps every address).
     *
     * <p>TCP_NODELAY is on already: Netty enables it on every socket it creates or accepts (except
     * on Android), so the relay does not set it again (one setsockopt per socket saved).
     */
    public abstract SocketChannel newSocketChannel(InetAddress target);

    /**
     * Whether connections and listeners can be handed to another process (docs/handover.md): it
     * needs descriptor passing and channels built around an existing descriptor, which only the
     * epoll transport has (Sluice builds channels around received descriptors only for epoll).
     */
    public boolean supportsHandover() {
        return false;
    }

    /**
     * Stops or restarts taking connections off a listening socket without closing it. Done on the
     * channel's own loop and waited for: from another thread Netty keeps the read interest while a
     * read is pending (which it always is on an idle listener), and the socket would go on accepting.
     */
    public static void setAccepting(Channel listening, boolean on) {
        listening.eventLoop().submit(() -> listening.config().setAutoRead(on)).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** A channel around a connected TCP socket received from another process (handover). */
    public SocketChannel wrapSocket(int fd) {
        throw new UnsupportedOperationException("connection handover needs the epoll transport, not " + name());
    }

    /** A channel around a listening TCP socket received from another process (handover). */
    public ServerChannel wrapServerSocket(int fd) {
        throw new UnsupportedOperationException("connection handover needs the epoll transport, not " + name());
    }

    private static SocketProtocolFamily familyOf(InetAddress target) {
        return target instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    }

    /** The name operators use for it: the value of {@code -Dsluice.transport} that picks it ({@code epoll-sockets}, ...). */
    public String operatorName() {
        return name().toLowerCase(Locale.ROOT).replace("_sockets", "-sockets");
    }

    /** Whether tcp and tls listeners relay on bare sockets rather than channels (see {@link #EPOLL_SOCKETS}). */
    public boolean relaysOnSockets() {
        return false;
    }

    /** Whether this transport works here (its native library loads, the kernel allows it). */
    public boolean isAvailable() {
        return switch (this) {
            case EPOLL, EPOLL_SOCKETS -> Epoll.isAvailable();
            case IO_URING -> IoUring.isAvailable();
            case NIO -> true;
        };
    }

    /** Whether SO_REUSEPORT can be set on listeners ({@code UnixChannelOption.SO_REUSEPORT}). */
    public boolean supportsReusePort() {
        return this != NIO;
    }

    /** Event loops whose threads are named {@code name-N}, so thread dumps say whose loop it is. */
    public EventLoopGroup newEventLoopGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandlerFactory());
    }

    /**
     * How many event loops relay connections: {@code -Dsluice.io-threads=N}, else one per CPU the
     * JVM may use (which honours taskset and cgroup limits). One loop per core is the fastest
     * layout for a proxy; fewer leaves cores to other processes (HAProxy's {@code nbthread}).
     * A value that is not a positive number is reported and ignored.
     */
    public static int ioThreads() {
        int cpus = Runtime.getRuntime().availableProcessors();
        String value = System.getProperty("sluice.io-threads");
        if (value == null || value.isBlank()) {
            return cpus;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= 1024) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        log.warn("-Dsluice.io-threads={} is not a number of threads from 1 to 1024; using {} (one per CPU)", value, cpus);
        return cpus;
    }

    /** The transport {@code -Dsluice.transport} asks for, or the best this platform has ({@link TransportChoice}). */
    public static Transport detect() {
        return TransportChoice.fromProperty();
    }
}
