/**
 * SNI routing of {@code mode: tls} listeners: which pool a connection goes to, given the server name and
 * ALPN protocols of its ClientHello. {@link io.sluice.route.RouteTable} is built once per listener from
 * its {@link io.sluice.config.TlsListenerConfig} and is immutable, so event loops share it freely.
 */
package io.sluice.route;
