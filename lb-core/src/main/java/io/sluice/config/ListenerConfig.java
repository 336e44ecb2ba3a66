package io.sluice.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * A socket Sluice accepts connections on, and where it sends them.
 *
 * @param name                the listener's unique name
 * @param bind                the local address; the wildcard address when the YAML said {@code :port}
 * @param mode                how connections are treated
 * @param pool                {@link ListenerMode#TCP}: name of a pool of the same {@link SluiceConfig};
 *                            {@link ListenerMode#TLS}: null (the pools are in {@link #tls()})
 * @param tls                 {@link ListenerMode#TLS}: the routing settings; {@link ListenerMode#TCP}: null
 * @param acceptProxyProtocol clients (by source address) that must begin their connection with a PROXY
 *                            protocol header, v1 or v2; unmodifiable; empty means PROXY protocol is accepted
 *                            from no one
 * @param line                1-based YAML line of the listener entry, so later messages (a failed bind) can
 *                            point at it
 */
public record ListenerConfig(String name, InetSocketAddress bind, ListenerMode mode,
                             String pool,
                             TlsListenerConfig tls,
                             List<Cidr> acceptProxyProtocol,
                             int line) {

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(mode, "mode");
        if (mode == ListenerMode.TCP) {
            Objects.requireNonNull(pool, "pool (a tcp listener needs one)");
            if (tls != null) {
                throw new IllegalArgumentException("a tcp listener has no tls settings");
            }
        } else {
            Objects.requireNonNull(tls, "tls (a tls listener needs them)");
            if (pool != null) {
                throw new IllegalArgumentException("a tls listener routes with tls settings, not pool");
            }
        }
        acceptProxyProtocol = List.copyOf(acceptProxyProtocol);
    }

    /** Whether a client at {@code address} must send a PROXY protocol header first. */
    public boolean acceptsProxyProtocolFrom(InetAddress address) {
        for (int i = 0; i < acceptProxyProtocol.size(); i++) {
            if (acceptProxyProtocol.get(i).contains(address)) {
                return true;
            }
        }
        return false;
    }
}
