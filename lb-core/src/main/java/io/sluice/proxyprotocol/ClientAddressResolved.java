package io.sluice.proxyprotocol;

import java.net.InetSocketAddress;

/**
 * User event: a trusted upstream's PROXY protocol header named the real client. Fired by
 * {@link ProxyHeaderReceiver} towards {@code proxy.FrontendHandler}, which from then on uses these
 * addresses for limits, stickiness, logs and the header sent onwards.
 *
 * <p>It lives beside the handler that fires it, so the relay depends on this package and never the
 * other way.
 *
 * @param client      the original client (source) address
 * @param destination the address the client originally connected to
 */
public record ClientAddressResolved(InetSocketAddress client, InetSocketAddress destination) {}
