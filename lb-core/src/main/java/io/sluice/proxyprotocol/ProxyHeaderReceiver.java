package io.sluice.proxyprotocol;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.prelude.HandoverEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Takes the PROXY protocol header (v1 or v2) a trusted upstream must send first, and announces the
 * real client with {@link ClientAddressResolved}.
 *
 * <p>Installed right after Netty's {@link HAProxyMessageDecoder}, only for connections whose
 * source is in the listener's {@code accept-proxy-protocol} list: from anyone else a header would
 * be a spoofing attempt, so those connections are plain clients. A trusted connection that does
 * not start with a valid header within {@link #HEADER_TIMEOUT} is closed and counted
 * ({@code sluice_proxy_protocol_refused_total{reason=invalid|timeout}}). A {@code LOCAL} command
 * (health checks of the upstream itself) keeps the socket's own addresses.
 */
public final class ProxyHeaderReceiver extends ChannelInboundHandlerAdapter {

    /** How long a trusted upstream may take to send its header; a real proxy sends it at once. */
    public static final Duration HEADER_TIMEOUT = Duration.ofSeconds(5);

    private final String listener;
    private final ProxyMetrics metrics;
    private ScheduledFuture<?> timeout;
    private boolean done;

    public ProxyHeaderReceiver(String listener, ProxyMetrics metrics) {
        this.listener = listener;
        this.metrics = metrics;
    }

    /** The decoder and this receiver, to add in front of the rest of the pipeline. */
    public static HAProxyMessageDecoder newDecoder() {
        return new HAProxyMessageDecoder();
    }

    /** Name of {@link #newGuard}'s handler in the pipeline. */
    public static final String GUARD = "proxy-header-guard";

    /**
     * A handler to add before the decoder: Netty's decoder closes the channel itself on a malformed
     * header, before the exception that says why reaches this receiver, so the connection would
     * end as a client abort. The guard sees a close made while the decoder runs (it wraps the
     * decoder's reads and events) and tells the receiver first. Closes for other reasons (a
     * shutdown, the header timeout) pass untouched.
     */
    public static ChannelDuplexHandler newGuard() {
        return new ChannelDuplexHandler() {
            private boolean decoding;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                decoding = true;
                try {
                    ctx.fireChannelRead(msg);
                } finally {
                    decoding = false;
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                decoding = true;
                try {
                    ctx.fireUserEventTriggered(evt);
                } finally {
                    decoding = false;
                }
            }

            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
                if (decoding) {
                    decoding = false;
                    ctx.fireUserEventTriggered(DecoderClosing.INSTANCE); // a no-op once the header is settled
                }
                super.close(ctx, promise);
            }
        };
    }

    /** From the guard: the channel is being closed while the header may be pending. */
    private enum DecoderClosing { INSTANCE }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> fail(ctx, "timeout"), HEADER_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            done = true;
            cancelTimeout();
            InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            ClientAddressResolved resolved = header.command() == HAProxyCommand.LOCAL || header.sourceAddress() == null
                    ? new ClientAddressResolved(remote, local)
                    : new ClientAddressResolved(
                            socketAddress(header.sourceAddress(), header.sourcePort()),
                            socketAddress(header.destinationAddress(), header.destinationPort()));
            if (ctx.pipeline().get(GUARD) != null) {
                ctx.pipeline().remove(GUARD);
            }
            ctx.pipeline().remove(this);
            ctx.fireUserEventTriggered(resolved);
        } finally {
            header.release();
        }
    }

    /** A handover while the header is awaited: no timeout while paused; a fresh one if this process keeps it. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DecoderClosing.INSTANCE) {
            // The decoder closes the channel: the header is malformed. Not passed on.
            fail(ctx, "invalid");
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent && !done) {
            // The upstream's FIN in the middle of the header: it will never be complete, so do
            // not wait for the header timeout.
            fail(ctx, "invalid");
            return;
        }
        if (evt == HandoverEvent.PAUSE && !done) {
            cancelTimeout();
        } else if (evt == HandoverEvent.RESUME && !done) {
            timeout = ctx.executor().schedule(() -> fail(ctx, "timeout"), HEADER_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            // HAProxyProtocolException: not a PROXY header, or a malformed one.
            fail(ctx, "invalid");
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (done) {
            return;
        }
        done = true;
        cancelTimeout();
        metrics.proxyProtocolRefused(listener, reason);
        ctx.fireUserEventTriggered(new Refusal(reason));
        ctx.close();
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
    }

    /** The decoder has already validated the literal; this never resolves names. */
    private static InetSocketAddress socketAddress(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + literal, e);
        }
    }

    /** User event: the trusted upstream's header was missing, invalid or late; the connection closes. */
    public record Refusal(String reason) {}
}
