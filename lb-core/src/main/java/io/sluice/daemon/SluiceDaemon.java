package io.sluice.daemon;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.sluice.accesslog.AccessLog;
import io.sluice.config.ListenerConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.limit.ConnectionLimiter;
import io.sluice.listener.Listener;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.pool.Pool;
import io.sluice.proxy.CloseReason;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.proxy.FrontendSettings;
import io.sluice.route.RouteTable;
import io.sluice.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: event loops, pools, listeners, and the control thread around them.
 *
 * <p>Lifecycle: {@link #start} binds every listener or none (a failed bind unwinds what was
 * bound and throws); {@link #stop} runs the shutdown order: stop accepting, let open connections
 * finish for the grace period, close the rest, stop the control thread and the event loops.
 * {@code stop} is safe to call twice.
 *
 * <p>The control thread (one scheduled executor) does everything that may scan or wait: stick
 * table sweeps now, health checks and discovery later. Event loops never wait on it.
 */
public final class SluiceDaemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SluiceDaemon.class);

    private enum State { STARTED, STOPPING, STOPPED }

    private final SluiceConfig config;
    private final Transport transport;
    private final EventLoopGroup workers;
    private final ScheduledExecutorService control;
    private final Map<String, Pool> pools;
    private final ConnectionTracker tracker = new ConnectionTracker();
    private final ConnectionLimiter limiter;
    private final ProxyMetrics metrics;
    private final List<Listener> listeners = new ArrayList<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTED);
    private volatile boolean graceAbandoned;

    private SluiceDaemon(SluiceConfig config, MeterRegistry registry) {
        this.config = config;
        this.transport = Transport.detect();
        this.workers = transport.newEventLoopGroup(Runtime.getRuntime().availableProcessors(), "sluice-io");
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-control");
            t.setDaemon(true);
            return t;
        });
        this.metrics = new ProxyMetrics(registry);
        this.limiter = new ConnectionLimiter(config.limits().maxConnections(), config.limits().maxConnectionsPerSource());
        Map<String, Pool> built = new LinkedHashMap<>();
        for (PoolConfig pc : config.pools().values()) {
            built.put(pc.name(), new Pool(pc, System::nanoTime));
        }
        this.pools = Collections.unmodifiableMap(built);
    }

    /**
     * Builds and binds everything in {@code config}.
     *
     * @throws Listener.BindFailedException if a listener cannot be bound; nothing is left running
     */
    public static SluiceDaemon start(SluiceConfig config, MeterRegistry registry) throws Listener.BindFailedException {
        SluiceDaemon daemon = new SluiceDaemon(config, registry);
        try {
            daemon.bindAll();
        } catch (Listener.BindFailedException | RuntimeException e) {
            daemon.stop(Duration.ZERO);
            throw e;
        }
        daemon.control.scheduleWithFixedDelay(daemon::sweepStickTables, 1, 1, TimeUnit.SECONDS);
        log.info("Sluice started: {} on {} transport; listening on {}",
                config.summary(), daemon.transport.name().toLowerCase(), daemon.describeListeners());
        return daemon;
    }

    private void bindAll() throws Listener.BindFailedException {
        AccessLog accessLog = new AccessLog();
        for (ListenerConfig lc : config.listeners()) {
            FrontendSettings settings = new FrontendSettings(
                    lc,
                    lc.pool() == null ? null : pools.get(lc.pool()),
                    pools,
                    lc.tls() == null ? null : RouteTable.of(lc.tls()),
                    config.timeouts().idle(),
                    transport,
                    limiter,
                    tracker,
                    metrics,
                    accessLog);
            listeners.add(Listener.bind(lc, settings, transport, workers));
        }
    }

    private void sweepStickTables() {
        try {
            pools.values().forEach(Pool::sweepStickTable);
        } catch (RuntimeException e) {
            log.error("stick table sweep failed", e);
        }
    }

    private String describeListeners() {
        List<String> parts = new ArrayList<>();
        for (Listener l : listeners) {
            InetSocketAddress a = l.localAddress();
            parts.add(l.name() + "=" + a.getAddress().getHostAddress() + ":" + a.getPort());
        }
        return String.join(", ", parts);
    }

    public SluiceConfig config() {
        return config;
    }

    public Transport transport() {
        return transport;
    }

    /** Where listener {@code name} is bound (the real port if the config said 0). */
    public InetSocketAddress boundAddress(String name) {
        for (Listener l : listeners) {
            if (l.name().equals(name)) {
                return l.localAddress();
            }
        }
        throw new IllegalArgumentException("no listener named '" + name + "'");
    }

    public Pool pool(String name) {
        Pool p = pools.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no pool named '" + name + "'");
        }
        return p;
    }

    public Map<String, Pool> pools() {
        return pools;
    }

    public ConnectionTracker connections() {
        return tracker;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /**
     * Graceful stop: unbind, wait up to {@code grace} for open connections to end, close the rest,
     * stop event loops. Blocks the calling thread (never call it from an event loop).
     */
    public void stop(Duration grace) {
        if (!state.compareAndSet(State.STARTED, State.STOPPING)) {
            return;
        }
        for (Listener l : listeners) {
            l.close().awaitUninterruptibly();
        }
        int open = tracker.size();
        if (open > 0) {
            log.info("Stopped accepting; waiting up to {} for {} open connections to finish", grace, open);
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (tracker.size() > 0 && System.nanoTime() - deadline < 0 && !graceAbandoned) {
            sleepQuietly(50);
        }
        if (tracker.size() > 0) {
            log.info("Grace period over; closing {} remaining connections", tracker.size());
            tracker.closeAll(CloseReason.SHUTDOWN);
            long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (tracker.size() > 0 && System.nanoTime() - closeDeadline < 0) {
                sleepQuietly(20);
            }
        }
        control.shutdownNow();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        state.set(State.STOPPED);
        log.info("Sluice stopped");
    }

    /** Ends a running {@link #stop} grace period now (a second SIGTERM): open connections are closed. */
    public void abandonGrace() {
        graceAbandoned = true;
    }

    /** Stops with the configured {@code timeouts.shutdown-grace}. */
    @Override
    public void close() {
        stop(config.timeouts().shutdownGrace());
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
