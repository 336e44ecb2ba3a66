package io.sluice.handover;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.listener.AcceptErrors;
import io.sluice.logging.ThrottledLog;
import io.sluice.transport.Transport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handover socket of a running daemon: a UNIX socket, mode 0600, where a new Sluice process
 * asks for everything ({@code sluice run --takeover PATH}). One handover at a time.
 *
 * <p>Who may talk to it: only a process of our own uid (the file mode, and SO_PEERCRED checked on
 * every connection), and only in our protocol: the first frame must be a HELLO of a version we
 * speak, within {@link #GREETING_TIMEOUT_MILLIS} ms (or a REFUSED: a new process that could not start, {@link FailedStart}). Anything else gets a REFUSED frame (when it was at least
 * framed) and is closed; nothing it sent has any effect.
 */
public final class HandoverServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HandoverServer.class);
    private static final ThrottledLog strangers = new ThrottledLog(log, TimeUnit.SECONDS.toNanos(10));
    static final long GREETING_TIMEOUT_MILLIS = 5_000;

    private final Path path;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final HandoverSource source;
    private final HandoverStatus status;
    private final long ownUid;
    /** The thread of the handover running now, if any (a stop waits for it). */
    private volatile Thread running;
    /** The handover in progress (awaiting its ATTACH, or running), or null. */
    private final AtomicReference<PendingSession> session = new AtomicReference<>();

    private record PendingSession(String token, Link link, long peerPid) {}

    private HandoverServer(Path path, EventLoopGroup group, Channel serverChannel, HandoverSource source,
                           HandoverStatus status, long ownUid) {
        this.path = path;
        this.group = group;
        this.serverChannel = serverChannel;
        this.source = source;
        this.status = status;
        this.ownUid = ownUid;
    }

    /**
     * Creates the socket at {@code path} (replacing a stale one a crashed daemon left) and serves it.
     *
     * @throws HandoverException if the transport cannot hand over, another daemon answers on the
     *                           path, or the socket cannot be created
     */
    public static HandoverServer listen(Path path, Transport transport, HandoverSource source, HandoverStatus status)
            throws HandoverException {
        return listen(path, transport, source, status, false);
    }

    /**
     * @param succeeding true for a process that has just taken over from the one still listening on
     *                   {@code path}: the socket file is replaced (atomically) instead of refused
     */
    public static HandoverServer listen(Path path, Transport transport, HandoverSource source, HandoverStatus status,
                                        boolean succeeding) throws HandoverException {
        if (!transport.supportsHandover()) {
            throw new HandoverException("handover.socket needs the epoll transport; this daemon runs on "
                    + transport.operatorName());
        }
        if (!succeeding && Files.exists(path) && answers(path)) {
            throw new HandoverException("another process is listening on the handover socket " + path
                    + " (a running Sluice? start this one with --takeover " + path + ")");
        }
        long uid = ownUid();
        Path temporary = path.resolveSibling(path.getFileName() + ".new-" + ProcessHandle.current().pid());
        EventLoopGroup group = transport.newEventLoopGroup(1, "sluice-handover");
        try {
            Files.deleteIfExists(temporary);
            HandoverServer[] self = new HandoverServer[1];
            ChannelFuture bound = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerDomainSocketChannel.class)
                    .handler(AcceptErrors.forControl("handover"))
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast("frames", new FrameDecoder())
                                    .addLast("length", new LengthFieldPrepender(4))
                                    .addLast("greeter", self[0].new Greeter());
                        }
                    })
                    .bind(new DomainSocketAddress(temporary.toString())).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                throw new HandoverException("cannot create the handover socket " + path + ": " + bound.cause().getMessage());
            }
            // Bound under a temporary name and renamed once private: nobody can connect while it is not 0600.
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            self[0] = new HandoverServer(path, group, bound.channel(), source, status, uid);
            status.socket(path.toString());
            return self[0];
        } catch (IOException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new HandoverException("cannot create the handover socket " + path + ": " + e.getMessage(), e);
        } catch (HandoverException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Whether a process accepts connections on {@code path} (else it is a stale file). */
    private static boolean answers(Path path) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    static long ownUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    public Path path() {
        return path;
    }

    /**
     * Stops listening. {@code unlink}: remove the socket file too; false after a handover, when
     * the path already belongs to the new process.
     */
    public void close(boolean unlink) {
        serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        // A stop in the middle of a handover lets it finish: cutting the link could lose an ACK
        // already written, and then both processes would serve that batch. Finishing hands
        // everything over, which is what a stop of the old process wants anyway.
        Thread t = running;
        if (t != null && t.isAlive() && t != Thread.currentThread()) {
            log.info("Stopping: waiting for the handover in progress to finish first");
            try {
                t.join(TimeUnit.SECONDS.toMillis(120));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        PendingSession s = session.getAndSet(null);
        if (s != null) {
            s.link().close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        if (unlink) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                log.warn("cannot remove the handover socket {}: {}", path, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        close(true);
    }

    /**
     * The first frame of every connection: a HELLO starts a handover, an ATTACH joins one, a REFUSED
     * is a new process that could not start saying why.
     */
    private final class Greeter extends ChannelInboundHandlerAdapter {

        private ScheduledFuture<?> timeout;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            long peerUid = peerUid(ctx.channel());
            if (peerUid != ownUid || ownUid < 0) {
                strangers.warn("handover socket: refused a connection from uid {} (only uid {} may hand over)", peerUid, ownUid);
                status.peerRefused("uid");
                ctx.close();
                return;
            }
            timeout = ctx.executor().schedule(() -> {
                strangers.warn("handover socket: closed a connection that sent no greeting in {} ms", GREETING_TIMEOUT_MILLIS);
                status.peerRefused("timeout");
                ctx.close();
            }, GREETING_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (timeout != null) {
                timeout.cancel(false);
            }
            Wire.Frame frame;
            try {
                frame = Wire.Frame.decode((ByteBuf) msg);
            } catch (HandoverException e) {
                refuse(ctx, "invalid", e.getMessage());
                return;
            } finally {
                ReferenceCountUtil.release(msg);
            }
            try {
                switch (frame.type()) {
                    case HELLO -> hello(ctx, frame.read(Messages.Hello.class));
                    case ATTACH -> attach(ctx, frame.read(Messages.Attach.class));
                    case REFUSED -> failedStart(ctx, frame.read(Messages.Refused.class));
                    default -> refuse(ctx, "invalid", "expected HELLO, got " + frame.type());
                }
            } catch (HandoverException e) {
                refuse(ctx, "invalid", e.getMessage());
            }
        }

        private void hello(ChannelHandlerContext ctx, Messages.Hello hello) {
            if (!Wire.PROTOCOL.equals(hello.protocol())) {
                refuse(ctx, "greeting", "not a handover greeting (protocol '" + hello.protocol() + "')");
                return;
            }
            if (hello.version() != Wire.VERSION) {
                refuse(ctx, "version", "unsupported handover protocol version " + hello.version() + " (this daemon speaks "
                        + Wire.VERSION + ")");
                return;
            }
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            Link link = new Link();
            PendingSession pending = new PendingSession(token, link, hello.pid());
            if (!session.compareAndSet(null, pending)) {
                refuse(ctx, "busy", "a handover is already in progress");
                return;
            }
            link.control(ctx.channel());
            ctx.pipeline().replace(this, "queue", link.frameQueue());
            ctx.writeAndFlush(Wire.encode(Wire.Type.WELCOME,
                    new Messages.Welcome(Wire.PROTOCOL, Wire.VERSION, ProcessHandle.current().pid(), token)));
            log.info("Handover requested by pid {}", hello.pid());
            // The descriptor connection must follow at once (within the step deadline), or the session is dropped.
            long attachMillis = source.deadlines().step().toMillis();
            ctx.executor().schedule(() -> {
                // compareAndSet compares identity: only this session is dropped, never a later one.
                if (!pending.link().hasDescriptorChannel() && session.compareAndSet(pending, null)) {
                    log.warn("Handover from pid {} dropped: no descriptor connection in {} ms", hello.pid(), attachMillis);
                    ctx.close();
                }
            }, attachMillis, TimeUnit.MILLISECONDS);
            ctx.channel().closeFuture().addListener(f -> {
                if (!pending.link().hasDescriptorChannel()) {
                    session.compareAndSet(pending, null);
                }
            });
        }

        private void attach(ChannelHandlerContext ctx, Messages.Attach attach) {
            PendingSession pending = session.get();
            if (pending == null || !pending.token().equals(attach.session()) || pending.link().hasDescriptorChannel()) {
                refuse(ctx, "invalid", "no handover session " + attach.session());
                return;
            }
            pending.link().descriptorChannel(ctx.channel());
            ctx.pipeline().remove(this);
            HandOff handOff = new HandOff(pending.link(), source, status, pending.peerPid(),
                    () -> session.compareAndSet(pending, null));
            Thread t = new DefaultThreadFactory("sluice-handover", true).newThread(handOff);
            running = t;
            t.start();
        }

        /** A new process that could not start says why ({@link FailedStart}); its reason becomes the last handover's. */
        private void failedStart(ChannelHandlerContext ctx, Messages.Refused failure) {
            long peerPid = peerPid(ctx.channel());
            String why = "aborted: the new process (pid " + peerPid + ") could not start: " + failure.error();
            log.warn("Upgrade failed, this daemon keeps serving: the new process (pid {}) could not start: {}",
                    peerPid, failure.error());
            if (session.get() == null) {
                status.finished(new HandoverStatus.Summary("sent", peerPid, Instant.now(), 0, 0, 0, 0, -1, 0, why));
            }
            ctx.close();
        }

        private void refuse(ChannelHandlerContext ctx, String reason, String why) {
            strangers.warn("handover socket: refused a peer: {}", why);
            status.peerRefused(reason);
            ctx.writeAndFlush(Wire.encode(Wire.Type.REFUSED, new Messages.Refused(why)))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // TooLongFrameException from a stranger's bytes, or a reset: nothing to keep.
            strangers.warn("handover socket: closed a peer: {}", cause.getMessage());
            status.peerRefused("invalid");
            if (timeout != null) {
                timeout.cancel(false);
            }
            ctx.close();
        }
    }

    /** The pid of the process at the other end of a domain socket; negative when it cannot be read. */
    static long peerPid(Channel ch) {
        try {
            return ((EpollDomainSocketChannel) ch).peerCredentials().pid();
        } catch (IOException | RuntimeException e) {
            return -2;
        }
    }

    /** The uid of the process at the other end of a domain socket; negative when it cannot be read. */
    static long peerUid(Channel ch) {
        try {
            return ((EpollDomainSocketChannel) ch).peerCredentials().uid();
        } catch (IOException | RuntimeException e) {
            return -2;
        }
    }
}
