package io.sluice.tls;

/**
 * User event: {@link ClientHelloSniffer} decided where this connection goes. Fired towards
 * {@code proxy.FrontendHandler}, which then connects to a backend of that pool. The sniffed bytes
 * follow as ordinary reads and are replayed to the backend unchanged.
 *
 * <p>It lives beside the handler that fires it (as Netty keeps {@code SniCompletionEvent} in its
 * ssl package), so the relay depends on the sniffer and never the other way.
 *
 * @param pool       the pool's config name
 * @param serverName the SNI host name (normalized), or null (none, or not TLS)
 * @param routeKind  how the pool was chosen: exact, wildcard, default, not-tls, server-first
 */
public record PoolChosen(String pool, String serverName, String routeKind) {}
