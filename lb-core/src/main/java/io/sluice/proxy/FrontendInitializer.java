package io.sluice.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import io.sluice.proxyprotocol.ProxyHeaderReceiver;
import io.sluice.tls.ClientHelloSniffer;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Sets up the pipeline of every accepted client channel:
 *
 * <pre>
 * idle timeout → [PROXY header decoder → receiver] → [ClientHello sniffer] → FrontendHandler
 * </pre>
 *
 * The idle timer is one per connection and counts traffic in both directions (backend bytes are
 * written to this channel). The PROXY header stage exists only for sources the listener trusts;
 * the sniffer only on tls listeners. Both remove themselves once done.
 */
public final class FrontendInitializer extends ChannelInitializer<Channel> {

    /** Swapped on reload; each connection keeps the settings it was accepted with. */
    private volatile FrontendSettings settings;

    public FrontendInitializer(FrontendSettings settings) {
        this.settings = settings;
    }

    /** New connections use {@code next} from now on (reload); open ones are not affected. */
    public void update(FrontendSettings next) {
        this.settings = next;
    }

    @Override
    protected void initChannel(Channel ch) {
        FrontendSettings settings = this.settings;
        long idleMillis = settings.idle().toMillis();
        if (idleMillis > 0) {
            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
        }
        InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
        boolean proxyHeader = settings.config().acceptsProxyProtocolFrom(remote.getAddress());
        if (proxyHeader) {
            ch.pipeline().addLast("proxy-header-decoder", ProxyHeaderReceiver.newDecoder());
            ch.pipeline().addLast("proxy-header", new ProxyHeaderReceiver(settings.listener(), settings.metrics()));
        }
        if (settings.routed()) {
            ch.pipeline().addLast("sni", new ClientHelloSniffer(
                    settings.listener(), settings.tls(), settings.routes(), settings.metrics()));
        }
        ch.pipeline().addLast("relay", new FrontendHandler(settings, proxyHeader));
    }
}
