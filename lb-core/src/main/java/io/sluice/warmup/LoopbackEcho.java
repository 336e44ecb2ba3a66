package io.sluice.warmup;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.sluice.transport.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The warm-up's backend: a loopback server on an ephemeral port that sends back whatever it reads
 * (the relay's answer path gets exercised too) and closes when the relay closes.
 *
 * <p>Threads: bound and closed by the warming thread; its connections live on the event loops.
 */
final class LoopbackEcho implements AutoCloseable {

    private final Channel server;

    private LoopbackEcho(Channel server) {
        this.server = server;
    }

    static LoopbackEcho start(Transport transport, EventLoopGroup group) {
        Channel server = new ServerBootstrap()
                .group(group)
                .channelFactory(transport::newServerChannel)
                .childHandler(Echo.INSTANCE)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly()
                .channel();
        return new LoopbackEcho(server);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }

    /** Echoes; Netty closes the channel when the relay's side closes (half-closure is off). */
    @Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        static final Echo INSTANCE = new Echo();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset from the relay's side: nothing to report
        }
    }
}
