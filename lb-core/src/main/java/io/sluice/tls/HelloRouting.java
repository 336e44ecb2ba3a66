package io.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.sluice.config.NoSniAction;
import io.sluice.config.TlsListenerConfig;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.route.RouteMatch;
import io.sluice.route.RouteTable;

/**
 * The decisions of a tls listener about a client still in its ClientHello, shared by both relays
 * (the channel relay's {@link ClientHelloSniffer} and the socket relay's peek), so they route,
 * refuse and count alike: the hello's SNI and ALPN through the route table; plain bytes to the
 * not-TLS pool when there is one; a client silent past server-first-timeout to it as well;
 * otherwise a refusal, with the alert a TLS client understands (docs/tls-routing.md).
 *
 * <p>Each verdict is counted ({@code sluice_tls_routed_total}, {@code sluice_tls_refused_total})
 * when it is given: ask once per connection. Immutable; any thread.
 */
public final class HelloRouting {

    private final String listener;
    private final TlsListenerConfig config;
    private final RouteTable routes;
    private final ProxyMetrics metrics;
    /** Most bytes held: the parser's own bound (the hello plus the record headers it may span). */
    private final long maxBuffered;

    public HelloRouting(String listener, TlsListenerConfig config, RouteTable routes, ProxyMetrics metrics) {
        this.listener = listener;
        this.config = config;
        this.routes = routes;
        this.metrics = metrics;
        this.maxBuffered = ClientHelloParser.bufferLimit(config.maxClientHello());
    }

    public TlsListenerConfig config() {
        return config;
    }

    /** Whether a client that says nothing is sent to the not-TLS pool after server-first-timeout. */
    public boolean waitsForServerFirst() {
        return !config.serverFirstTimeout().isZero() && config.notTlsPool() != null;
    }

    /**
     * The verdict on every byte the client sent so far ({@code received}, not consumed), or null
     * while they are a valid, incomplete ClientHello within bounds: read more.
     */
    public HelloVerdict judge(ByteBuf received) {
        ParseResult result = ClientHelloParser.parse(received, config.maxClientHello());
        if (result instanceof ParseResult.Hello hello) {
            return counted(route(hello.info()));
        }
        if (result instanceof ParseResult.Refused refused) {
            return counted(parseRefusal(refused));
        }
        if (received.readableBytes() > maxBuffered) {
            return counted(new HelloRefused(TlsRefusal.TOO_LARGE, received.readableBytes()
                    + " bytes without a complete ClientHello", null, HelloRefused.ALERT_HANDSHAKE_FAILURE));
        }
        return null;
    }

    /** No complete ClientHello within client-hello-timeout. */
    public HelloVerdict timedOut() {
        return counted(new HelloRefused(TlsRefusal.TIMEOUT, "no complete ClientHello in " + config.clientHelloTimeout(),
                null, (byte) 0));
    }

    /** The client sent nothing within server-first-timeout: a server-first protocol (SMTP, MySQL...) waiting for us. */
    public HelloVerdict serverFirst() {
        return counted(new PoolChosen(config.notTlsPool(), null, "server-first"));
    }

    private HelloVerdict parseRefusal(ParseResult.Refused refused) {
        TlsRefusal reason = refused.reason();
        if (reason == TlsRefusal.NOT_TLS && config.notTlsPool() != null) {
            return new PoolChosen(config.notTlsPool(), null, "not-tls");
        }
        byte alert = switch (reason) {
            case MALFORMED -> HelloRefused.ALERT_DECODE_ERROR;
            case TOO_LARGE -> HelloRefused.ALERT_HANDSHAKE_FAILURE;
            default -> 0; // not TLS (or SSLv2): a TLS alert would mean nothing to the peer
        };
        return new HelloRefused(reason, refused.detail(), null, alert);
    }

    private HelloVerdict route(ClientHelloInfo info) {
        if (info.encryptedClientHello()) {
            metrics.tlsEncryptedClientHello(listener);
        }
        if (info.serverName() == null && config.noSni() == NoSniAction.REJECT) {
            return new HelloRefused(TlsRefusal.NO_ROUTE, "no SNI and no-sni: reject", null,
                    HelloRefused.ALERT_UNRECOGNIZED_NAME);
        }
        RouteMatch match = routes.route(info.serverName(), info.alpn());
        if (match == null) {
            return new HelloRefused(TlsRefusal.NO_ROUTE, "no route for " + info.serverName(), info.serverName(),
                    HelloRefused.ALERT_UNRECOGNIZED_NAME);
        }
        return new PoolChosen(match.pool(), info.serverName(), match.kind().word());
    }

    private HelloVerdict counted(HelloVerdict verdict) {
        if (verdict instanceof PoolChosen chosen) {
            metrics.tlsRouted(listener, chosen.routeKind());
        } else if (verdict instanceof HelloRefused refused) {
            metrics.tlsRefused(listener, refused.reason().word());
        }
        return verdict;
    }
}
