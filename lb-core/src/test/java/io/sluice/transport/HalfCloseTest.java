package io.sluice.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DuplexChannel;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A half-close through real sockets: the peer reads what was written, then EOF, and can still send. */
class HalfCloseTest {

    @ParameterizedTest
    @EnumSource(Transport.class)
    void peerGetsTheBytesThenEofAndCanStillSend(Transport transport) throws Exception {
        assumeTrue(transport.isAvailable(), transport + " is not available here");
        EventLoopGroup group = transport.newEventLoopGroup(1, "half-close-test");
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf buf = (ByteBuf) msg;
                                    received.add(buf.toString(StandardCharsets.US_ASCII));
                                    buf.release();
                                }
                            });
                            accepted.complete(ch);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.connect(server.localAddress(), 5000);
                client.setSoTimeout(5000);
                DuplexChannel ch = (DuplexChannel) accepted.get(5, TimeUnit.SECONDS);
                CompletableFuture<Boolean> shut = new CompletableFuture<>();
                ch.eventLoop().execute(() -> ch.writeAndFlush(Unpooled.copiedBuffer("last words", StandardCharsets.US_ASCII))
                        .addListener(f -> { // as the relay does: the FIN after what was written before it
                            HalfClose.shutdownOutput(ch);
                            shut.complete(ch.isOutputShutdown());
                        }));
                assertTrue(shut.get(5, TimeUnit.SECONDS));
                InputStream in = client.getInputStream();
                assertArrayEquals("last words".getBytes(StandardCharsets.US_ASCII), in.readNBytes(10));
                assertEquals(-1, in.read()); // the FIN
                client.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
                StringBuilder got = new StringBuilder();
                while (got.length() < 10) {
                    String part = received.poll(5, TimeUnit.SECONDS);
                    assertTrue(part != null, "the other direction stopped: " + got);
                    got.append(part);
                }
                assertEquals("still here", got.toString());
                assertTrue(ch.isActive());
            } finally {
                server.close().sync();
                if (accepted.isDone()) {
                    accepted.get().close().sync();
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * A peer that reset the connection before the relay's half-close (epoll: the socket is in
     * TCP_CLOSE, shutdown fails ENOTCONN): the half-close is quiet (it threw an unchecked
     * NotYetConnectedException into the caller before, logged with a stack trace per connection).
     */
    @Test
    void aHalfCloseAfterThePeersResetIsQuiet() throws Exception {
        assumeTrue(Transport.EPOLL.isAvailable(), "epoll is not available here");
        EventLoopGroup group = Transport.EPOLL.newEventLoopGroup(1, "half-close-test");
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(Transport.EPOLL.serverChannelClass())
                    .childOption(ChannelOption.AUTO_READ, false) // the reset stays unseen by Netty
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.complete(ch);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.connect(server.localAddress(), 5000);
                EpollSocketChannel ch = (EpollSocketChannel) accepted.get(5, TimeUnit.SECONDS);
                client.setSoLinger(true, 0);
                client.close(); // RST
                await().until(() -> ch.tcpInfo().state() == TCP_CLOSE);
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                ch.eventLoop().execute(() -> {
                    try {
                        HalfClose.shutdownOutput(ch);
                        outcome.complete(null);
                    } catch (RuntimeException e) {
                        outcome.complete(e);
                    }
                });
                assertNull(outcome.get(5, TimeUnit.SECONDS));
                assertTrue(ch.isOutputShutdown());
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** TCP_CLOSE in the kernel's tcp_states. */
    private static final int TCP_CLOSE = 7;
}
