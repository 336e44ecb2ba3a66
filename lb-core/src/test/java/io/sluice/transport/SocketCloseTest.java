package io.sluice.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.sluice.harness.ExceptionRecording;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link SocketClose} and {@link EpollInterestRevival} through real epoll sockets, with what the
 * kernel says about this process's epoll sets ({@code /proc/self/fdinfo}): the peer of a closed
 * channel reads a clean end of stream, Netty's channel goes inactive and closed, the descriptor
 * leaves epoll, and the loop builds no exception on the way (a DEL or SO_LINGER read of the closed
 * descriptor would, if a Netty upgrade brought them back).
 */
class SocketCloseTest {

    private static final Pattern WATCHED = Pattern.compile("^tfd:\\s+(\\d+)\\s+events:\\s+([0-9a-f]+)", Pattern.MULTILINE);

    @Test
    void aClosedChannelLeavesEpollWithOneCloseAndNoException() throws Exception {
        assumeTrue(Transport.EPOLL.isAvailable(), "epoll is not available here");
        assertTrue(EpollInterestRevival.available(), "this Netty's epoll registration is not what EpollInterestRevival expects");
        EventLoopGroup group = Transport.EPOLL.newEventLoopGroup(1, "socket-close-test");
        LinkedBlockingQueue<EpollSocketChannel> accepted = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Channel> inputShutdown = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Channel> inactive = new LinkedBlockingQueue<>();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channelFactory(Transport.EPOLL::newServerChannel)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                        @Override
                        protected void initChannel(EpollSocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRegistered(ChannelHandlerContext ctx) {
                                    EpollInterestRevival.install(ctx.channel()); // as the relay's handlers do
                                    ctx.fireChannelRegistered();
                                }

                                @Override
                                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                    if (evt instanceof ChannelInputShutdownEvent) {
                                        inputShutdown.add(ctx.channel());
                                    }
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    inactive.add(ctx.channel());
                                }
                            });
                            accepted.add(ch);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket finFirst = new Socket(); Socket idle = new Socket(); ExceptionRecording exceptions = ExceptionRecording.start()) {
                finFirst.connect(server.localAddress(), 5000);
                finFirst.setSoTimeout(5000);
                EpollSocketChannel afterFin = accepted.poll(5, TimeUnit.SECONDS);
                int afterFinFd = afterFin.fd().intValue();
                await().until(() -> watchedInterest(afterFinFd).isPresent());
                finFirst.shutdownOutput();
                assertEquals(afterFin, inputShutdown.poll(5, TimeUnit.SECONDS));
                // Its input is shut down and nothing is queued: the empty interest set took it out of epoll.
                await().until(() -> watchedInterest(afterFinFd).isEmpty());

                idle.connect(server.localAddress(), 5000);
                idle.setSoTimeout(5000);
                EpollSocketChannel open = accepted.poll(5, TimeUnit.SECONDS);
                int openFd = open.fd().intValue();
                await().until(() -> watchedInterest(openFd).isPresent());

                for (EpollSocketChannel ch : List.of(afterFin, open)) {
                    CompletableFuture<Boolean> closed = new CompletableFuture<>();
                    ch.eventLoop().execute(() -> SocketClose.close(ch).addListener(f -> closed.complete(f.isSuccess())));
                    assertTrue(closed.get(5, TimeUnit.SECONDS));
                    assertEquals(ch, inactive.poll(5, TimeUnit.SECONDS));
                    assertFalse(ch.isOpen());
                }
                assertEquals(-1, finFirst.getInputStream().read(), "a clean end of stream, not a reset");
                assertEquals(-1, idle.getInputStream().read(), "a clean end of stream, not a reset");
                assertTrue(watchedInterest(openFd).isEmpty(), "the kernel took the closed descriptor out of epoll");
                List<ExceptionRecording.Thrown> thrown = exceptions.stop("socket-close-test");
                assertEquals(List.of(), thrown.stream().filter(ExceptionRecording.Thrown::fromNettyIo).toList(),
                        "exceptions built on the event loop: " + thrown);
            }
            try (Socket after = new Socket()) { // the loop goes on serving
                after.connect(server.localAddress(), 5000);
                assertTrue(accepted.poll(5, TimeUnit.SECONDS).isActive());
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** The interest mask some epoll set of this process has for descriptor {@code fd}, if any has it. */
    private static OptionalInt watchedInterest(int fd) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException gone) {
                    continue; // closed meanwhile
                }
                if (!target.equals("anon_inode:[eventpoll]")) {
                    continue;
                }
                String info;
                try {
                    info = Files.readString(Path.of("/proc/self/fdinfo", p.getFileName().toString()));
                } catch (IOException gone) {
                    continue;
                }
                Matcher m = WATCHED.matcher(info);
                while (m.find()) {
                    if (Integer.parseInt(m.group(1)) == fd) {
                        return OptionalInt.of(Integer.parseInt(m.group(2), 16));
                    }
                }
            }
        }
        return OptionalInt.empty();
    }
}
