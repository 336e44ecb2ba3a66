/**
 * PROXY protocol (v1, v2): receiving the real client address from trusted upstreams, and sending it
 * to backends. Entry types: {@link io.sluice.proxyprotocol.ProxyHeaderReceiver},
 * {@link io.sluice.proxyprotocol.ProxyHeaders}.
 */
package io.sluice.proxyprotocol;
