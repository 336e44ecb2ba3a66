package io.sluice.proxy;

import io.sluice.accesslog.AccessLog;
import io.sluice.config.Cidr;
import io.sluice.config.TlsListenerConfig;
import io.sluice.limit.ConnectionLimiter;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.pool.Pool;
import io.sluice.route.RouteTable;
import io.sluice.transport.Transport;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything the relay of one listener needs, shared by all its connections.
 *
 * @param listener        the listener's config name (logs, metric tags)
 * @param pool            tcp listeners: where every connection goes; tls listeners: null (routed)
 * @param pools           every pool by name, for routed listeners
 * @param tls             tls listeners: the sniffing and routing settings; else null
 * @param routes          tls listeners: the route table built from {@code tls}; else null
 * @param trustedProxies  sources that must send a PROXY protocol header first (may be empty)
 * @param idle            close both sides after this long without traffic either way; ZERO disables
 * @param transport       channel classes for the backend side (same transport as the client side)
 */
public record FrontendSettings(
        String listener,
        Pool pool,
        Map<String, Pool> pools,
        TlsListenerConfig tls,
        RouteTable routes,
        List<Cidr> trustedProxies,
        Duration idle,
        Transport transport,
        ConnectionLimiter limiter,
        ConnectionTracker tracker,
        ProxyMetrics metrics,
        AccessLog accessLog) {

    /** Whether a connection from {@code source} must start with a PROXY protocol header. */
    public boolean trustsProxyHeaderFrom(InetAddress source) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(source)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the pool is chosen per connection after sniffing (tls) rather than fixed (tcp). */
    public boolean routed() {
        return tls != null;
    }
}
