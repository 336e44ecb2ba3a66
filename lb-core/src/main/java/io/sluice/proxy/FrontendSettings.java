package io.sluice.proxy;

import io.sluice.accesslog.AccessLog;
import io.sluice.limit.ConnectionLimiter;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.pool.Pool;
import io.sluice.transport.Transport;
import java.time.Duration;

/**
 * Everything the relay of one listener needs, shared by all its connections.
 *
 * @param listener  the listener's config name (logs, metric tags)
 * @param pool      where its connections go
 * @param idle      close both sides after this long without traffic either way; ZERO disables
 * @param transport channel classes for the backend side (same transport as the client side)
 */
public record FrontendSettings(
        String listener,
        Pool pool,
        Duration idle,
        Transport transport,
        ConnectionLimiter limiter,
        ConnectionTracker tracker,
        ProxyMetrics metrics,
        AccessLog accessLog) {}
