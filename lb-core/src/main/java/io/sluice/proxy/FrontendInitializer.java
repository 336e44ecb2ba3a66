package io.sluice.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.sluice.proxyprotocol.ProxyHeaderReceiver;
import io.sluice.tls.ClientHelloSniffer;
import java.net.InetSocketAddress;

/**
 * Sets up the pipeline of every accepted client channel:
 *
 * <pre>
 * [prelude tape] → [PROXY header decoder → receiver] → [ClientHello sniffer] → FrontendHandler
 * </pre>
 *
 * The idle timeout is not a handler: the loop's {@link IdleSweeper} watches every connection. The
 * PROXY header stage exists only for sources the listener trusts;
 * the sniffer only on tls listeners. Both remove themselves once done; the tape (a copy of the
 * prelude's raw bytes, for a handover in the middle of it) goes when the backend connect starts.
 */
public final class FrontendInitializer extends ChannelInitializer<Channel> {

    /** Swapped on reload; each connection keeps the settings it was accepted with. */
    private volatile FrontendSettings settings;

    public FrontendInitializer(FrontendSettings settings) {
        this.settings = settings;
    }

    /** What new connections get now. */
    public FrontendSettings settings() {
        return settings;
    }

    /** New connections use {@code next} from now on (reload); open ones are not affected. */
    public void update(FrontendSettings next) {
        this.settings = next;
    }

    @Override
    protected void initChannel(Channel ch) {
        FrontendSettings settings = this.settings;
        InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
        boolean proxyHeader = settings.config().acceptsProxyProtocolFrom(remote.getAddress());
        if (proxyHeader || settings.routed()) {
            ch.pipeline().addLast(PreludeTape.NAME, new PreludeTape());
        }
        if (proxyHeader) {
            ch.pipeline().addLast(ProxyHeaderReceiver.GUARD, ProxyHeaderReceiver.newGuard());
            ch.pipeline().addLast("proxy-header-decoder", ProxyHeaderReceiver.newDecoder());
            ch.pipeline().addLast("proxy-header", new ProxyHeaderReceiver(settings.listener(), settings.metrics()));
        }
        if (settings.routed()) {
            ch.pipeline().addLast("sni", new ClientHelloSniffer(settings.hello()));
        }
        ch.pipeline().addLast("relay", new FrontendHandler(settings, proxyHeader));
    }
}
