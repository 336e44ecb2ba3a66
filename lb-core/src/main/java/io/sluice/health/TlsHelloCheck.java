package io.sluice.health;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Healthy when a TLS handshake completes; no application data is sent, the connection is closed
 * right after. The certificate is trusted as is unless {@code verify-certificate} is set; then its
 * chain must be valid under the JVM's trust store. The host name is not checked either way: the
 * check dials an address, and a backend's certificate names its service, not its address. No SNI
 * is sent, and every check is a full handshake (no session is resumed: the handler gets no peer
 * host for the session cache).
 */
final class TlsHelloCheck implements ActiveCheck {

    private static final Logger log = LoggerFactory.getLogger(TlsHelloCheck.class);

    private final SslContext context;

    TlsHelloCheck(boolean verifyCertificate) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm(null);
        if (!verifyCertificate) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        }
        this.context = builder.build();
    }

    @Override
    public void initChannel(Channel channel, InetSocketAddress address, Probe probe) {
        SslHandler ssl = context.newHandler(channel.alloc());
        ssl.setHandshakeTimeoutMillis(0); // the probe's own timer bounds the whole check
        channel.pipeline().addLast(ssl, new HandshakeHandler(probe, address));
    }

    @Override
    public boolean doneOnConnect() {
        return false;
    }

    private static final class HandshakeHandler extends ChannelInboundHandlerAdapter {
        private final Probe probe;
        private final InetSocketAddress address;

        HandshakeHandler(Probe probe, InetSocketAddress address) {
            this.probe = probe;
            this.address = address;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    probe.finish(CheckResults.OK);
                } else {
                    String result = CheckResults.tls(done.cause());
                    if (log.isDebugEnabled()) {
                        log.debug("tls-hello check of {}: {} ({})", address, result, String.valueOf(done.cause()));
                    }
                    probe.finish(result);
                }
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
