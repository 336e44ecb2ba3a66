package io.sluice.harness;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real TLS backend on loopback with its own generated certificate (CN and SAN = its name), so a
 * test can tell by the certificate which backend a client's handshake reached. After the handshake
 * it writes {@code name + "\n"} and echoes. Terminates TLS with the JDK provider through Netty,
 * sharing no code with the daemon under test.
 */
public final class TlsBackend implements AutoCloseable {

    private final String name;
    private final EventLoopGroup group;
    private final Channel server;

    private TlsBackend(String name, List<String> alpn) throws Exception {
        this.name = name;
        X509Bundle cert = new CertificateBuilder()
                .subject("CN=" + name)
                .addSanDnsName(name)
                .setIsCertificateAuthority(true)
                .ecp256()
                .buildSelfSigned();
        SslContextBuilder builder = SslContextBuilder.forServer(cert.toKeyManagerFactory()).sslProvider(SslProvider.JDK);
        if (!alpn.isEmpty()) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    alpn));
        }
        SslContext ssl = builder.build();
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new Greeter(name));
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    /** A TLS backend whose certificate names {@code name}. */
    public static TlsBackend start(String name) throws Exception {
        return new TlsBackend(name, List.of());
    }

    /** A TLS backend that also selects one of {@code alpn} (server preference). */
    public static TlsBackend start(String name, List<String> alpn) throws Exception {
        return new TlsBackend(name, alpn);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static final class Greeter extends SimpleChannelInboundHandler<ByteBuf> {
        private final String name;

        Greeter(String name) {
            this.name = name;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    ctx.writeAndFlush(ctx.alloc().buffer().writeBytes((name + "\n").getBytes(StandardCharsets.UTF_8)));
                } else {
                    ctx.close();
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            ctx.writeAndFlush(msg.retain());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
