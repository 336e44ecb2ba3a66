package io.sluice.tls;

/**
 * {@link HelloRouting} decided where this connection goes. On the channel relay it is also the
 * user event {@link ClientHelloSniffer} fires towards {@code proxy.FrontendHandler}, which then
 * connects to a backend of that pool; the sniffed bytes follow as ordinary reads and are
 * replayed to the backend unchanged.
 *
 * <p>It lives beside the code that decides it (as Netty keeps {@code SniCompletionEvent} in its
 * ssl package), so the relay depends on the sniffer and never the other way.
 *
 * @param pool       the pool's config name
 * @param serverName the SNI host name (normalized), or null (none, or not TLS)
 * @param routeKind  how the pool was chosen: exact, wildcard, default, not-tls, server-first
 */
public record PoolChosen(String pool, String serverName, String routeKind) implements HelloVerdict {}
