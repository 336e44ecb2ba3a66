package io.sluice.proxy;

import io.sluice.accesslog.AccessLog;
import io.sluice.config.ListenerConfig;
import io.sluice.config.TlsListenerConfig;
import io.sluice.limit.ConnectionLimiter;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.pool.Pool;
import io.sluice.tls.HelloRouting;
import io.sluice.transport.Transport;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the relay of one listener needs, shared by all its connections.
 *
 * @param config          the listener's config
 * @param pool            tcp listeners: where every connection goes; tls listeners: null (routed)
 * @param pools           every pool by name, for routed listeners
 * @param hello           tls listeners: the routing of a ClientHello (route table, refusals); else null
 * @param idle            close both sides after this long without traffic either way; ZERO disables
 * @param transport       channel classes for the backend side (same transport as the client side)
 * @param connects        told of every backend connect's outcome (passive health checks)
 */
public record FrontendSettings(
        ListenerConfig config,
        Pool pool,
        Map<String, Pool> pools,
        HelloRouting hello,
        Duration idle,
        Transport transport,
        ConnectionLimiter limiter,
        ConnectionTracker tracker,
        ProxyMetrics metrics,
        AccessLog accessLog,
        ConnectObserver connects) {

    /** The listener's name (logs, metric tags). */
    public String listener() {
        return config.name();
    }

    /** tls listeners: the sniffing and routing settings; else null. */
    public TlsListenerConfig tls() {
        return config.tls();
    }

    /** Whether the pool is chosen per connection after sniffing (tls) rather than fixed (tcp). */
    public boolean routed() {
        return config.tls() != null;
    }
}
