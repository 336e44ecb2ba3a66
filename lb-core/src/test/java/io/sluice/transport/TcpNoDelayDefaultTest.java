package io.sluice.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The relay relies on Netty enabling TCP_NODELAY on every socket it creates and accepts (it does
 * not set it again, to save a syscall per socket). Without it, small request/response traffic
 * through the proxy would wait on Nagle's algorithm; this guards the assumption across upgrades.
 */
class TcpNoDelayDefaultTest {

    @ParameterizedTest
    @EnumSource(Transport.class)
    void backendSocketsHaveNoDelayOn(Transport transport) throws Exception {
        assumeTrue(transport.isAvailable(), transport + " is not available here");
        SocketChannel v4 = transport.newSocketChannel(InetAddress.getByName("127.0.0.1"));
        SocketChannel v6 = transport.newSocketChannel(InetAddress.getByName("::1"));
        try {
            assertTrue(v4.config().isTcpNoDelay());
            assertTrue(v6.config().isTcpNoDelay());
        } finally {
            v4.unsafe().closeForcibly();
            v6.unsafe().closeForcibly();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void acceptedSocketsHaveNoDelayOn(Transport transport) throws Exception {
        assumeTrue(transport.isAvailable(), transport + " is not available here");
        EventLoopGroup group = transport.newEventLoopGroup(1, "nodelay-test");
        CompletableFuture<Boolean> noDelay = new CompletableFuture<>();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            noDelay.complete(ch.config().isTcpNoDelay());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.connect(server.localAddress(), 5000);
                assertTrue(noDelay.get(5, TimeUnit.SECONDS));
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
