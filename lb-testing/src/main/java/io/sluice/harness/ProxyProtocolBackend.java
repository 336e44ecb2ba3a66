package io.sluice.harness;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A backend that requires a PROXY protocol header (v1 or v2, decoded by Netty's decoder), records
 * what it carried, then answers {@code name client-ip:port\n} and echoes the bytes that follow.
 */
public final class ProxyProtocolBackend implements AutoCloseable {

    /** What one header said. {@code authority} is the PP2_TYPE_AUTHORITY TLV (SNI), or null. */
    public record Seen(String version, String source, int sourcePort, String destination, int destinationPort,
                       String authority) {}

    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

    public ProxyProtocolBackend(String name) throws InterruptedException {
        this.name = name;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HAProxyMessageDecoder(), new Recorder());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** The next header seen, waiting up to 10 s; null if none came. */
    public Seen next() throws InterruptedException {
        return seen.poll(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Recorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HAProxyMessage h) {
                try {
                    String authority = null;
                    for (HAProxyTLV tlv : h.tlvs()) {
                        if (tlv.type() == HAProxyTLV.Type.PP2_TYPE_AUTHORITY) {
                            authority = tlv.content().toString(StandardCharsets.US_ASCII);
                        }
                    }
                    seen.add(new Seen(h.protocolVersion().name(), h.sourceAddress(), h.sourcePort(),
                            h.destinationAddress(), h.destinationPort(), authority));
                    ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(
                            (name + " " + h.sourceAddress() + ":" + h.sourcePort() + "\n").getBytes(StandardCharsets.UTF_8)));
                } finally {
                    h.release();
                }
            } else if (msg instanceof ByteBuf buf) {
                ctx.writeAndFlush(buf);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // no or bad header: what a strict backend does
        }
    }
}
