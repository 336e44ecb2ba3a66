package io.sluice.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerMode;
import io.sluice.proxy.FrontendInitializer;
import io.sluice.transport.Transport;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The listening socket's set-up and what accepted sockets get from it (the relay through it is tested end to end elsewhere). */
class ListenerTest {

    /** AcceptBatchTest shows what the policy does through real sockets; here, that listeners use it. */
    @Test
    void epollListenersAcceptInBatches() throws InterruptedException {
        assumeTrue(Transport.EPOLL.isAvailable(), "epoll is not available here");
        EventLoopGroup group = Transport.EPOLL.newEventLoopGroup(1, "listener-test");
        try {
            assertSame(Transport.EPOLL.acceptBatches(), optionOf(group));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        assertNotNull(Transport.EPOLL.acceptBatches());
    }

    /**
     * Every accepted socket has SO_KEEPALIVE (read back from the kernel with getsockopt): on epoll
     * the listening socket has it and accepted sockets inherit it, so no accepted socket gets its
     * own setsockopt; on the other transports each accepted socket gets it.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void acceptedSocketsHaveKeepAliveAndNoDelay(Transport transport) throws Exception {
        assumeTrue(transport.isAvailable(), transport + " is not available here");
        EventLoopGroup group = transport.newEventLoopGroup(1, "listener-test");
        CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
        try {
            ServerBootstrap bootstrap = Listener.bootstrap(config(), new FrontendInitializer(null), transport, group)
                    .channelFactory(transport::newServerChannel)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accepted.complete(ch);
                        }
                    });
            assertEquals(!transport.acceptedSocketsInheritKeepAlive(),
                    bootstrap.config().childOptions().containsKey(ChannelOption.SO_KEEPALIVE));
            Channel server = bootstrap.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.connect(server.localAddress(), 5000);
                SocketChannel ch = accepted.get(5, TimeUnit.SECONDS);
                assertTrue(ch.config().isKeepAlive(), "SO_KEEPALIVE on the accepted socket");
                assertTrue(ch.config().isTcpNoDelay(), "TCP_NODELAY on the accepted socket");
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static ListenerConfig config() {
        return new ListenerConfig("web", new InetSocketAddress("127.0.0.1", 0), ListenerMode.TCP,
                "pool", null, List.of(), 1);
    }

    private static Object optionOf(EventLoopGroup group) {
        return Listener.bootstrap(config(), new FrontendInitializer(null), Transport.EPOLL, group)
                .config().options().get(ChannelOption.RCVBUF_ALLOCATOR);
    }
}
