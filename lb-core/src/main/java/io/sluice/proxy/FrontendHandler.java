package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.limit.ConnectionLimiter.Admission;

/**
 * Faces the client: admits the connection, starts the backend connect, and relays client bytes to
 * the backend with backpressure (stops reading the client while the backend cannot take more).
 *
 * <p>The client channel starts with AUTO_READ off, so nothing is read (and nothing buffered) until
 * a backend is connected.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    /** Most client bytes held while the backend connects (see {@link Connection#holdEarly}). */
    private static final int EARLY_DATA_LIMIT = 256 * 1024;

    private final FrontendSettings settings;
    private Connection connection;

    FrontendHandler(FrontendSettings settings) {
        this.settings = settings;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        connection = new Connection(settings, ch);
        ch.closeFuture().addListener(f -> connection.finished());
        settings.metrics().accepted(settings.listener());

        Admission admission = settings.limiter().tryAcquire(connection.client().getAddress());
        if (admission != Admission.ADMITTED) {
            CloseReason reason = admission == Admission.OVER_GLOBAL_LIMIT
                    ? CloseReason.OVER_LIMIT
                    : CloseReason.OVER_SOURCE_LIMIT;
            settings.metrics().refused(settings.listener(), reason.word());
            connection.reason(reason);
            ch.close();
            return;
        }
        connection.admitted();
        new BackendConnector(connection).connect();
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
        }
    }

    /** The client drained what we queued for it: resume reading from the backend. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel outbound = connection.outbound();
        if (ctx.channel().isWritable() && outbound != null && connection.isEstablished()) {
            outbound.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            connection.inboundInputShutdown();
        } else if (evt instanceof IdleStateEvent) {
            connection.close(CloseReason.IDLE_TIMEOUT);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Inactive without our close means the client broke the connection.
        connection.abort(CloseReason.CLIENT_ABORT);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Typically "connection reset by peer"; routine for a proxy, so no stack trace.
        RelayLog.debug("client {} error: {}", connection.client(), cause.toString());
        connection.abort(CloseReason.CLIENT_ABORT);
    }
}
