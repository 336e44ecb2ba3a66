package io.sluice.daemon;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sd_notify protocol (sd_notify(3)): newline-separated {@code KEY=value} assignments in one
 * datagram to the unix socket named by {@code $NOTIFY_SOCKET}, which systemd sets for a
 * {@code Type=notify} service. A name starting with {@code @} is in the abstract namespace (Linux).
 *
 * <p>The JDK cannot send unix datagrams, so this uses Netty's epoll domain datagram channel on an
 * event loop of its own, opened at the first message. Without {@code $NOTIFY_SOCKET} (not under
 * systemd) every method does nothing. Never throws: a failure is logged once as a warning, since
 * the daemon serves the same with or without systemd knowing. Thread-safe; each call waits up to a
 * second for its datagram to be written, so a {@code MAINPID=} is sent before the caller goes on.
 */
public final class SystemdNotify implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);
    private static final long SEND_TIMEOUT_MILLIS = 1000;

    private final String socket;
    private EventLoopGroup group;
    private Channel channel;
    private boolean warned;
    private boolean closed;

    /** @param socket the value of {@code $NOTIFY_SOCKET}; null or blank: no-op */
    public SystemdNotify(String socket) {
        this.socket = socket == null || socket.isBlank() ? null : socket;
    }

    /** The daemon's own notifier, from {@code $NOTIFY_SOCKET}. */
    public static SystemdNotify fromEnvironment() {
        return new SystemdNotify(System.getenv("NOTIFY_SOCKET"));
    }

    /** Whether messages go anywhere (the daemon runs under a {@code Type=notify} unit). */
    public boolean enabled() {
        return socket != null;
    }

    /** {@code READY=1}: start-up is done, listeners are bound. */
    public void ready() {
        send("READY=1");
    }

    /**
     * {@code MAINPID=<pid>} and {@code READY=1} in one datagram: a daemon that took over from the unit's
     * main process tells systemd it is the main process now (needs {@code NotifyAccess=all}, since it
     * is not the main process when it sends this).
     */
    public void readyWithMainPid(long pid) {
        send("MAINPID=" + pid + "\nREADY=1");
    }

    /**
     * {@code MAINPID=<pid>} alone: sent by a daemon taking over before it lets the old one go, so
     * systemd never sees the unit's main process exit while the new one is already serving.
     */
    public void mainPid(long pid) {
        send("MAINPID=" + pid);
    }

    /** {@code STOPPING=1}: a graceful stop has begun. */
    public void stopping() {
        send("STOPPING=1");
    }

    /** {@code STATUS=<text>}, shown by {@code systemctl status}; line breaks become spaces (one assignment per line). */
    public void status(String text) {
        send("STATUS=" + (text == null ? "" : text.replace('\r', ' ').replace('\n', ' ')));
    }

    private synchronized void send(String message) {
        if (socket == null || closed) {
            return;
        }
        try {
            Channel ch = channel();
            if (ch == null) {
                return;
            }
            DomainDatagramPacket packet = new DomainDatagramPacket(
                    Unpooled.wrappedBuffer(message.getBytes(StandardCharsets.UTF_8)), address());
            ChannelFuture written = ch.writeAndFlush(packet);
            if (!written.await(SEND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                warnOnce("no answer from the socket within " + SEND_TIMEOUT_MILLIS + " ms");
            } else if (!written.isSuccess()) {
                warnOnce(describe(written.cause()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            warnOnce("interrupted");
        } catch (RuntimeException | LinkageError e) {
            warnOnce(describe(e));
        }
    }

    /** Netty reports ENOENT as a FileNotFoundException without a message. */
    private static String describe(Throwable e) {
        if (e instanceof FileNotFoundException && e.getMessage() == null) {
            return "no such socket";
        }
        return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    }

    /** The channel, opened at the first message; null when epoll is not available here. */
    private Channel channel() throws InterruptedException {
        if (channel != null) {
            return channel;
        }
        if (!Epoll.isAvailable()) {
            warnOnce("the epoll transport is not available (" + Epoll.unavailabilityCause() + ")");
            return null;
        }
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sluice-sd-notify", true),
                EpollIoHandler.newFactory());
        // Not connected: each datagram names its recipient (sendto), so systemd re-binding its socket
        // (daemon-reexec) does not break later messages. Active at registration, or Netty refuses writes.
        ChannelFuture registered = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true)
                .handler(new ChannelInboundHandlerAdapter())
                .register()
                .sync();
        channel = registered.channel();
        return channel;
    }

    /** {@code @name} is the abstract name {@code \0name}: Netty passes the bytes and their exact length. */
    private DomainSocketAddress address() {
        return new DomainSocketAddress(socket.startsWith("@") ? "\0" + socket.substring(1) : socket);
    }

    private void warnOnce(String why) {
        if (!warned) {
            warned = true;
            log.warn("Cannot notify systemd on NOTIFY_SOCKET={}: {} (the daemon runs on; systemd may time out"
                    + " waiting for it)", socket, why);
        }
    }

    /** Closes the channel and its event loop; later calls do nothing. Safe to call twice. */
    @Override
    public synchronized void close() {
        closed = true;
        if (channel != null) {
            channel.close().awaitUninterruptibly(SEND_TIMEOUT_MILLIS);
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group = null;
        }
    }
}
