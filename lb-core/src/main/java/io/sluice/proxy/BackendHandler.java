package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.transport.EpollInterestRevival;

/**
 * Faces the backend: relays backend bytes to the client with backpressure, and passes the
 * backend's FIN, reset or close on to the client. Installed before connect; it ignores everything
 * until the relay is established (a failed connect is the connector's business).
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    private final ChannelConnection connection;

    BackendHandler(ChannelConnection connection) {
        this.connection = connection;
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
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.idleActive = true;
        Channel inbound = connection.inbound();
        if (!inbound.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            connection.bytesDown += buf.readableBytes();
        }
        inbound.write(msg, inbound.voidPromise());
        if (!inbound.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.inbound().flush();
        connection.lastFinRead(ctx.channel());
    }

    /** The backend drained what we queued for it: resume reading from the client. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.idleActive = true;
        if (ctx.channel().isWritable() && connection.isEstablished()) {
            connection.resumeInbound();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && connection.isEstablished()) {
            connection.outboundInputShutdown();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection.isEstablished()) {
            connection.abort(CloseReason.BACKEND_ABORT);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (connection.isEstablished()) {
            RelayLog.debugCause("backend {} error: {}", connection.backend(), cause);
            connection.abort(CloseReason.BACKEND_ABORT);
        } else {
            ctx.close();
        }
    }
}
