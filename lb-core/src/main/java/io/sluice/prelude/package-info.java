/**
 * What a client connection's prelude handlers ({@code tls.ClientHelloSniffer},
 * {@code proxyprotocol.ProxyHeaderReceiver}) share with the relay that owns the connection: the
 * events it fires through their pipeline. Entry type: {@link io.sluice.prelude.HandoverEvent}.
 */
package io.sluice.prelude;
