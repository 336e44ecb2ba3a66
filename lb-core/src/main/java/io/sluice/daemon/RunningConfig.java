package io.sluice.daemon;

import io.sluice.accesslog.AccessLog;
import io.sluice.config.ListenerConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.limit.ConnectionLimiter;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.pool.Pool;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.proxy.FrontendSettings;
import io.sluice.route.RouteTable;
import io.sluice.tls.HelloRouting;
import io.sluice.transport.Transport;
import io.sluice.upstream.Upstreams;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration the daemon runs now, the connection limiter built from it, and what each
 * listener's connections get from them ({@link #settingsFor}). A reload swaps the configuration
 * ({@link #swap}, control thread); each is published with one volatile write and read anywhere.
 */
final class RunningConfig {

    private static final Logger log = LoggerFactory.getLogger(RunningConfig.class);

    private final Transport transport;
    private final Upstreams upstreams;
    private final ConnectionTracker tracker;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog = new AccessLog();
    private volatile SluiceConfig config;
    private volatile ConnectionLimiter limiter;

    RunningConfig(SluiceConfig config, Transport transport, Upstreams upstreams, ConnectionTracker tracker,
                  ProxyMetrics metrics) {
        this.config = config;
        this.limiter = new ConnectionLimiter(maxConnections(config), config.limits().maxConnectionsPerSource());
        this.transport = transport;
        this.upstreams = upstreams;
        this.tracker = tracker;
        this.metrics = metrics;
    }

    SluiceConfig config() {
        return config;
    }

    /** Control thread (a reload): the new configuration, and the limiter with its limits (counts kept). */
    void swap(SluiceConfig next) {
        config = next;
        limiter = limiter.withLimits(maxConnections(next), next.limits().maxConnectionsPerSource());
    }

    /**
     * {@code limits.max-connections}, or fewer when the open-files limit cannot hold that many
     * (docs/operations.md, "Open files"): said once, with the numbers, at start and on reload.
     */
    private static int maxConnections(SluiceConfig config) {
        DescriptorBudget budget = DescriptorBudget.of(config);
        String warning = budget.warning();
        if (warning != null) {
            log.warn("{}", warning);
        }
        return budget.maxConnections();
    }

    /** What listener {@code lc}'s connections get now (pools, routes and limits change on reload). */
    FrontendSettings settingsFor(ListenerConfig lc) {
        Map<String, Pool> pools = upstreams.pools();
        return new FrontendSettings(lc, lc.pool() == null ? null : pools.get(lc.pool()), pools,
                lc.tls() == null ? null : new HelloRouting(lc.name(), lc.tls(), RouteTable.of(lc.tls()), metrics), config.timeouts().idle(), transport, limiter, tracker,
                metrics, accessLog, upstreams.passiveHealth());
    }
}
