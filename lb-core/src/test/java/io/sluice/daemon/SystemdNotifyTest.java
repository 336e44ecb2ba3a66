package io.sluice.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify: what a real unix datagram socket, standing in for systemd's, receives. */
class SystemdNotifyTest {
    @TempDir
    Path dir;

    private EventLoopGroup group;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    @BeforeEach
    void epoll() {
        Assumptions.assumeTrue(Epoll.isAvailable(), "sd_notify needs the epoll transport");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterEach
    void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void sendsEachMessageAsOneDatagramToAPathSocket() throws Exception {
        Path socket = dir.resolve("notify");
        Channel systemd = bind(socket.toString());
        try (SystemdNotify notify = new SystemdNotify(socket.toString())) {
            assertTrue(notify.enabled());
            notify.ready();
            notify.readyWithMainPid(4321);
            notify.status("taking over\nfrom pid 1200");
            notify.stopping();
            assertEquals("READY=1", next());
            assertEquals("MAINPID=4321\nREADY=1", next());
            assertEquals("STATUS=taking over from pid 1200", next());
            assertEquals("STOPPING=1", next());
        } finally {
            systemd.close().sync();
        }
    }

    @Test
    void anAtSignNamesAnAbstractSocket() throws Exception {
        String name = "sluice-test-" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
        Channel systemd = bind("\0" + name);
        try (SystemdNotify notify = new SystemdNotify("@" + name)) {
            notify.readyWithMainPid(77);
            assertEquals("MAINPID=77\nREADY=1", next());
        } finally {
            systemd.close().sync();
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        try (SystemdNotify notify = new SystemdNotify(null)) {
            assertFalse(notify.enabled());
            notify.ready();
            notify.status("x");
        }
        assertFalse(new SystemdNotify("  ").enabled());
    }

    @Test
    void aSocketNobodyListensOnIsNotAnError() throws Exception {
        Path socket = dir.resolve("nobody");
        try (SystemdNotify notify = new SystemdNotify(socket.toString())) {
            notify.ready(); // ENOENT: logged once, not thrown
            notify.stopping();
        }
        // Closed: later calls do nothing, even once a listener exists.
        SystemdNotify notify = new SystemdNotify(dir.resolve("late").toString());
        notify.close();
        Channel systemd = bind(dir.resolve("late").toString());
        try {
            notify.ready();
            assertNull(received.poll(200, TimeUnit.MILLISECONDS));
        } finally {
            systemd.close().sync();
        }
    }

    private Channel bind(String path) throws InterruptedException {
        return new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        received.add(packet.content().toString(StandardCharsets.UTF_8));
                    }
                })
                .bind(new DomainSocketAddress(path)).sync().channel();
    }

    private String next() throws InterruptedException {
        String message = received.poll(5, TimeUnit.SECONDS);
        assertTrue(message != null, "a datagram within 5 s");
        return message;
    }
}
