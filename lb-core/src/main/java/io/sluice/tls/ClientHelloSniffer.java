package io.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.NoSniAction;
import io.sluice.config.TlsListenerConfig;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.prelude.HandoverEvent;
import io.sluice.route.RouteMatch;
import io.sluice.route.RouteTable;
import java.util.concurrent.TimeUnit;

/**
 * Reads a TLS client's first bytes until its whole ClientHello is in, routes on SNI and ALPN, then
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

    /** TLS AlertDescription values (RFC 8446 §6). */
    static final byte ALERT_HANDSHAKE_FAILURE = 40;
    static final byte ALERT_DECODE_ERROR = 50;
    static final byte ALERT_UNRECOGNIZED_NAME = 112;

    private final String listener;
    private final TlsListenerConfig config;
    private final RouteTable routes;
    private final ProxyMetrics metrics;
    /** Most bytes held: the parser's own bound (the hello plus the record headers it may span). */
    private final long maxBuffered;

    private CompositeByteBuf received;
    private ScheduledFuture<?> helloTimeout;
    private ScheduledFuture<?> serverFirstTimeout;
    private boolean decided;

    public ClientHelloSniffer(String listener, TlsListenerConfig config, RouteTable routes, ProxyMetrics metrics) {
        this.listener = listener;
        this.config = config;
        this.routes = routes;
        this.metrics = metrics;
        this.maxBuffered = ClientHelloParser.bufferLimit(config.maxClientHello());
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
        helloTimeout = ctx.executor().schedule(
                () -> refuse(ctx, TlsRefusal.TIMEOUT, "no complete ClientHello in " + config.clientHelloTimeout(), (byte) 0),
                config.clientHelloTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (!config.serverFirstTimeout().isZero() && config.notTlsPool() != null) {
            serverFirstTimeout = ctx.executor().schedule(() -> {
                if (!decided && received.readableBytes() == 0) {
                    // A server-first protocol (SMTP, MySQL...): the client waits for us to speak.
                    decide(ctx, new PoolChosen(config.notTlsPool(), null, "server-first"));
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
        if (serverFirstTimeout != null) {
            serverFirstTimeout.cancel(false);
            serverFirstTimeout = null;
        }
        received.addComponent(true, buf);
        ParseResult result = ClientHelloParser.parse(received, config.maxClientHello());
        if (result instanceof ParseResult.Hello hello) {
            route(ctx, hello.info());
        } else if (result instanceof ParseResult.Refused refused) {
            onParseRefusal(ctx, refused);
        } else if (received.readableBytes() > maxBuffered) {
            refuse(ctx, TlsRefusal.TOO_LARGE, received.readableBytes() + " bytes without a complete ClientHello",
                    ALERT_HANDSHAKE_FAILURE);
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

    private void onParseRefusal(ChannelHandlerContext ctx, ParseResult.Refused refused) {
        TlsRefusal reason = refused.reason();
        if (reason == TlsRefusal.NOT_TLS && config.notTlsPool() != null) {
            decide(ctx, new PoolChosen(config.notTlsPool(), null, "not-tls"));
            return;
        }
        byte alert = switch (reason) {
            case MALFORMED -> ALERT_DECODE_ERROR;
            case TOO_LARGE -> ALERT_HANDSHAKE_FAILURE;
            default -> 0; // not TLS (or SSLv2): a TLS alert would mean nothing to the peer
        };
        refuse(ctx, reason, refused.detail(), alert);
    }

    private void route(ChannelHandlerContext ctx, ClientHelloInfo info) {
        if (info.encryptedClientHello()) {
            metrics.tlsEncryptedClientHello(listener);
        }
        if (info.serverName() == null && config.noSni() == NoSniAction.REJECT) {
            refuse(ctx, TlsRefusal.NO_ROUTE, "no SNI and no-sni: reject", ALERT_UNRECOGNIZED_NAME);
            return;
        }
        RouteMatch match = routes.route(info.serverName(), info.alpn());
        if (match == null) {
            refuse(ctx, TlsRefusal.NO_ROUTE, "no route for " + info.serverName(), ALERT_UNRECOGNIZED_NAME, info.serverName());
            return;
        }
        decide(ctx, new PoolChosen(match.pool(), info.serverName(), match.kind().word()));
    }

    private void decide(ChannelHandlerContext ctx, PoolChosen choice) {
        if (decided) {
            return;
        }
        decided = true;
        cancelTimers();
        metrics.tlsRouted(listener, choice.routeKind());
        ctx.fireUserEventTriggered(choice);
        ByteBuf held = received;
        received = null;
        ctx.pipeline().remove(this);
        if (held.isReadable()) {
            ctx.fireChannelRead(held);
        } else {
            held.release();
        }
    }

    private void refuse(ChannelHandlerContext ctx, TlsRefusal reason, String detail, byte alert) {
        refuse(ctx, reason, detail, alert, null);
    }

    private void refuse(ChannelHandlerContext ctx, TlsRefusal reason, String detail, byte alert, String serverName) {
        if (decided) {
            return;
        }
        decided = true;
        cancelTimers();
        metrics.tlsRefused(listener, reason.word());
        ctx.fireUserEventTriggered(new Refusal(reason, detail, serverName));
        if (alert != 0 && ctx.channel().isActive()) {
            ByteBuf record = Unpooled.wrappedBuffer(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, alert});
            ctx.writeAndFlush(record).addListener(ChannelFutureListener.CLOSE);
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

    /**
     * User event fired before the sniffer closes a refused connection, so the access log can say why.
     *
     * @param serverName the SNI the client sent when its ClientHello was read (no-route), else null
     */
    public record Refusal(TlsRefusal reason, String detail, String serverName) {}
}
