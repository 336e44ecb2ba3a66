package io.sluice.proxy;

import java.net.InetSocketAddress;

/**
 * User event: a trusted upstream's PROXY protocol header named the real client. Fired by
 * {@code io.sluice.proxyprotocol.ProxyHeaderReceiver} towards {@link FrontendHandler}, which from
 * then on uses these addresses for limits, stickiness, logs and the header sent onwards.
 *
 * @param client      the original client (source) address
 * @param destination the address the client originally connected to
 */
public record ClientAddressResolved(InetSocketAddress client, InetSocketAddress destination) {}
