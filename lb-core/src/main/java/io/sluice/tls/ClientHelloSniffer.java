package io.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.TlsListenerConfig;
import io.sluice.prelude.HandoverEvent;
import java.util.concurrent.TimeUnit;

/**
 * The channel relay's ClientHello peek: reads a TLS client's first bytes until its whole
 * ClientHello is in, routes on SNI and ALPN ({@link HelloRouting}, which the socket relay shares), then
 * steps aside: it fires {@link PoolChosen} and passes every byte it held on, unchanged, to be
 * replayed to the backend. Nothing is decrypted or altered.
 *
 * <p>Bounds (a slow or garbage client holds at most this): one buffer of at most
 * {@code max-client-hello} bytes plus record-header overhead, and one timer. Refusals close the
 * connection and are counted as {@code sluice_tls_refused_total{reason}}; where a TLS alert means
 * something to a real TLS client (malformed or too-large hello, no route for its name) one alert
 * record is written first (see docs/tls-routing.md).
 *
 * <p>Reading: the channel has AUTO_READ off; this handler asks for one more read while it needs
 * bytes. Event-loop only; not sharable.
 */
public final class ClientHelloSniffer extends ChannelInboundHandlerAdapter {

    private final HelloRouting routing;
    private final TlsListenerConfig config;

    private CompositeByteBuf received;
    private ScheduledFuture<?> helloTimeout;
    private ScheduledFuture<?> serverFirstTimeout;
    private boolean decided;

    public ClientHelloSniffer(HelloRouting routing) {
        this.routing = routing;
        this.config = routing.config();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        received = ctx.alloc().compositeBuffer(64);
        if (ctx.channel().isActive()) {
            startTimers(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startTimers(ctx);
        ctx.fireChannelActive();
    }

    private void startTimers(ChannelHandlerContext ctx) {
        if (helloTimeout != null) {
            return;
        }
        helloTimeout = ctx.executor().schedule(() -> {
            if (!decided) {
                apply(ctx, routing.timedOut());
            }
        }, config.clientHelloTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (routing.waitsForServerFirst()) {
            serverFirstTimeout = ctx.executor().schedule(() -> {
                if (!decided && received.readableBytes() == 0) {
                    apply(ctx, routing.serverFirst());
                }
            }, config.serverFirstTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided || !(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (serverFirstTimeout != null && buf.isReadable()) {
            // (A handover's replay of a client that has sent nothing is an empty read: still silent.)
            serverFirstTimeout.cancel(false);
            serverFirstTimeout = null;
        }
        received.addComponent(true, buf);
        HelloVerdict verdict = routing.judge(received);
        if (verdict != null) {
            apply(ctx, verdict);
        }
    }

    /**
     * A handover in the middle of the sniff stops the timers (the socket may soon be the other
     * process's) and, if this process keeps the connection after all, starts them afresh.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == HandoverEvent.PAUSE && !decided) {
            cancelTimers();
            helloTimeout = null;
            serverFirstTimeout = null;
        } else if (evt == HandoverEvent.RESUME && !decided) {
            startTimers(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!decided && ctx.channel().isActive()) {
            ctx.read(); // still sniffing: AUTO_READ is off, so ask for the next bytes
        }
        ctx.fireChannelReadComplete();
    }

    private void apply(ChannelHandlerContext ctx, HelloVerdict verdict) {
        decided = true;
        cancelTimers();
        if (verdict instanceof HelloRefused refused) {
            refuse(ctx, refused);
            return;
        }
        ctx.fireUserEventTriggered(verdict);
        ByteBuf held = received;
        received = null;
        ctx.pipeline().remove(this);
        if (held.isReadable()) {
            ctx.fireChannelRead(held);
        } else {
            held.release();
        }
    }

    private void refuse(ChannelHandlerContext ctx, HelloRefused refused) {
        ctx.fireUserEventTriggered(refused);
        if (refused.alert() != 0 && ctx.channel().isActive()) {
            ctx.writeAndFlush(refused.alertRecord()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private void cancelTimers() {
        if (helloTimeout != null) {
            helloTimeout.cancel(false);
        }
        if (serverFirstTimeout != null) {
            serverFirstTimeout.cancel(false);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimers();
        if (received != null) {
            ReferenceCountUtil.release(received);
            received = null;
        }
    }
}
