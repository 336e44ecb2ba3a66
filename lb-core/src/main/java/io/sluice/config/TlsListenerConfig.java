package io.sluice.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@code mode: tls} listener picks a pool from the client's ClientHello. TLS is not terminated:
 * the ClientHello is read, a pool chosen, and every byte (the ClientHello included) relayed unchanged.
 * {@code io.sluice.route.RouteTable} applies these settings.
 *
 * @param routes             by SNI (and optionally ALPN), in file order, unmodifiable
 * @param defaultPool        for a ClientHello without SNI (when {@link #noSni()} is {@link NoSniAction#DEFAULT})
 *                           or whose SNI matches no route; null: such connections are closed
 * @param noSni              what to do with a ClientHello without SNI
 * @param notTlsPool         where a connection goes whose first bytes are not a TLS handshake; null: closed
 * @param clientHelloTimeout how long the whole ClientHello may take to arrive; more than 0, at most 5m
 * @param maxClientHello     the largest ClientHello accepted, in bytes (record headers included), 512..65536
 * @param serverFirstTimeout a client that sends nothing for this long is taken for a server-speaks-first
 *                           protocol and sent to {@link #notTlsPool()}; {@link Duration#ZERO} turns this off.
 *                           Non-zero only with a non-null {@link #notTlsPool()}
 */
public record TlsListenerConfig(List<RouteConfig> routes, String defaultPool, NoSniAction noSni,
                                String notTlsPool, Duration clientHelloTimeout, int maxClientHello,
                                Duration serverFirstTimeout) {

    public static final Duration DEFAULT_CLIENT_HELLO_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MAX_CLIENT_HELLO_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_CLIENT_HELLO = 16 * 1024;
    public static final int MIN_MAX_CLIENT_HELLO = 512;
    public static final int MAX_MAX_CLIENT_HELLO = 64 * 1024;
    public static final Duration MAX_SERVER_FIRST_TIMEOUT = Duration.ofMinutes(5);

    public TlsListenerConfig {
        routes = List.copyOf(routes);
        Objects.requireNonNull(noSni, "noSni");
        Objects.requireNonNull(clientHelloTimeout, "clientHelloTimeout");
        Objects.requireNonNull(serverFirstTimeout, "serverFirstTimeout");
        if (routes.isEmpty() && defaultPool == null) {
            throw new IllegalArgumentException("a tls listener needs routes or a default pool");
        }
        if (!serverFirstTimeout.isZero() && notTlsPool == null) {
            throw new IllegalArgumentException("serverFirstTimeout needs a notTlsPool");
        }
    }
}
