package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.pool.Pool;
import io.sluice.proxyprotocol.ClientAddressResolved;
import io.sluice.proxyprotocol.ProxyHeaderReceiver;
import io.sluice.tls.HelloRefused;
import io.sluice.tls.PoolChosen;
import io.sluice.transport.EpollInterestRevival;

/**
 * Faces the client: admits the connection, learns where it goes (the listener's pool, or the
 * sniffer's {@link PoolChosen}), starts the backend connect, and relays client bytes to the backend
 * with backpressure (stops reading the client while the backend cannot take more).
 *
 * <p>The client channel starts with AUTO_READ off: nothing is read (and nothing buffered) except
 * what a prelude (PROXY header, ClientHello) needs, until a backend is connected.
 *
 * <p>Admission comes in two steps: the daemon-wide limit at accept; the per-source limit once the
 * real client address is known (at accept, or from a trusted PROXY header).
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    /** Most client bytes held while the backend connects (see {@link ChannelConnection#holdEarly}). */
    private static final int EARLY_DATA_LIMIT = 256 * 1024;

    private final FrontendSettings settings;
    private final boolean expectsProxyHeader;
    private ChannelConnection connection;

    FrontendHandler(FrontendSettings settings, boolean expectsProxyHeader) {
        this.settings = settings;
        this.expectsProxyHeader = expectsProxyHeader;
    }

    /** For a connection another process handed over, established already (see {@link AdoptedConnection}). */
    FrontendHandler(FrontendSettings settings, ChannelConnection adopted) {
        this.settings = settings;
        this.expectsProxyHeader = false;
        this.connection = adopted;
    }

    /** Each registration (the first, and again after a handover pause) gets the epoll repair {@link EpollInterestRevival}. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        EpollInterestRevival.install(ctx.channel());
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        EpollInterestRevival.install(ctx.channel());
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (connection != null) {
            ctx.fireChannelActive(); // adopted: admitted and routed by the process that accepted it
            return;
        }
        Channel ch = ctx.channel();
        connection = new ChannelConnection(settings, ch);
        ch.closeFuture().addListener(f -> connection.finished());
        if (connection.idleNanos > 0) {
            IdleSweeper.on(ch.eventLoop()).add(connection);
        }
        // hasAttr first: attr() would create (and allocate) the attribute on every accepted connection.
        Long handedOverStart = ch.hasAttr(HandedOver.START_NANOS) ? ch.attr(HandedOver.START_NANOS).get() : null;
        if (handedOverStart != null) {
            // Accepted and admitted by the process that handed it over, mid-prelude: counted, not checked.
            ConnectionHandover.admitted(connection, handedOverStart, !expectsProxyHeader);
        } else {
            settings.metrics().accepted(settings.listener());
            if (!settings.limiter().tryAcquireGlobal()) {
                refuse(CloseReason.OVER_LIMIT);
                return;
            }
            connection.globalAdmitted();
            if (!expectsProxyHeader && !admitSource()) {
                return;
            }
        }
        if (expectsProxyHeader || settings.routed()) {
            ctx.read(); // the prelude reads what it needs, then tells us where to go
        } else {
            connect(settings.pool(), null);
        }
    }

    private boolean admitSource() {
        if (!settings.limiter().tryAcquireSource(connection.client().getAddress())) {
            refuse(CloseReason.OVER_SOURCE_LIMIT);
            return false;
        }
        connection.sourceAdmitted();
        return true;
    }

    private void refuse(CloseReason reason) {
        settings.metrics().refused(settings.listener(), reason.word());
        connection.close(reason);
    }

    private void connect(Pool pool, String serverName) {
        // Only connections with a prelude have a tape (see FrontendInitializer): no pipeline scan for the others.
        if ((expectsProxyHeader || settings.routed()) && connection.inbound().pipeline().get(PreludeTape.NAME) != null) {
            connection.inbound().pipeline().remove(PreludeTape.NAME); // routed: no replay needed any more
        }
        connection.routed(pool, serverName);
        new BackendConnector(connection, pool).connect();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            connection.inboundInputShutdown();
        } else if (evt instanceof ClientAddressResolved resolved) {
            connection.resolved(resolved);
            if (admitSource() && !settings.routed()) {
                connect(settings.pool(), null);
            }
        } else if (evt instanceof PoolChosen chosen) {
            Pool pool = settings.pools().get(chosen.pool());
            if (pool == null) { // config validation makes this unreachable; never fail silently
                refuse(CloseReason.NO_BACKEND);
                return;
            }
            connect(pool, chosen.serverName());
        } else if (evt instanceof HelloRefused refusal) {
            connection.tlsRefused(refusal.serverName(), refusal.reason().word());
        } else if (evt instanceof ProxyHeaderReceiver.Refusal) {
            connection.reason(CloseReason.PROXY_HEADER_INVALID);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!connection.isEstablished()) {
            if (!(msg instanceof ByteBuf buf) || !connection.holdEarly(buf, EARLY_DATA_LIMIT)) {
                ReferenceCountUtil.release(msg);
                connection.close(CloseReason.CLIENT_ABORT);
            }
            return;
        }
        connection.idleActive = true;
        Channel outbound = connection.outbound();
        if (!outbound.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            connection.bytesUp += buf.readableBytes();
        }
        outbound.write(msg, outbound.voidPromise());
        if (!outbound.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel outbound = connection.outbound();
        if (outbound != null && connection.isEstablished()) {
            outbound.flush();
            connection.lastFinRead(ctx.channel());
        }
    }

    /** The client drained what we queued for it: resume reading from the backend. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.idleActive = true; // a slow reader draining a big queue is not idle
        Channel outbound = connection.outbound();
        if (ctx.channel().isWritable() && outbound != null && connection.isEstablished()) {
            connection.resumeOutbound();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Inactive without our close means the client broke the connection.
        connection.abort(CloseReason.CLIENT_ABORT);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Typically "connection reset by peer"; routine for a proxy, so no stack trace.
        RelayLog.debugCause("client {} error: {}", connection.client(), cause);
        connection.abort(CloseReason.CLIENT_ABORT);
    }
}
