package io.sluice.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.sluice.transport.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny line-echo server that says its name: the backend of {@code sluice demo}, so a newcomer
 * can see which backend a connection landed on with nothing else installed.
 */
public final class EchoBackend implements AutoCloseable {

    private final String name;
    private final Channel channel;

    private EchoBackend(String name, Channel channel) {
        this.name = name;
        this.channel = channel;
    }

    /** Starts an echo backend on {@code address}; blocks until bound. */
    public static EchoBackend start(String name, InetSocketAddress address, Transport transport, EventLoopGroup group)
            throws InterruptedException {
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new LineBasedFrameDecoder(8192), new Greeter(name));
                    }
                })
                .bind(address)
                .sync()
                .channel();
        return new EchoBackend(name, ch);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
    }

    /** Greets with the backend's name, then echoes each line prefixed with it. */
    private static final class Greeter extends SimpleChannelInboundHandler<ByteBuf> {
        private final String name;

        Greeter(String name) {
            this.name = name;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(
                    ("hello from " + name + "; type a line and " + name + " echoes it\n").getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
            ByteBuf out = ctx.alloc().buffer();
            out.writeBytes(("[" + name + "] ").getBytes(StandardCharsets.UTF_8)).writeBytes(line).writeByte('\n');
            ctx.writeAndFlush(out);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
