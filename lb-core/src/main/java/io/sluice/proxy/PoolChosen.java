package io.sluice.proxy;

/**
 * User event: the listener's prelude (the TLS ClientHello sniffer) decided where this connection
 * goes. Fired towards {@link FrontendHandler}, which then connects to a backend of that pool. The
 * sniffed bytes follow as ordinary reads and are replayed to the backend unchanged.
 *
 * @param pool       the pool's config name
 * @param serverName the SNI host name (normalized), or null (none, or not TLS)
 * @param routeKind  how the pool was chosen: exact, wildcard, default, not-tls, server-first
 */
public record PoolChosen(String pool, String serverName, String routeKind) {}
