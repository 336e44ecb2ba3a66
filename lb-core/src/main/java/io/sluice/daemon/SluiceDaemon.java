package io.sluice.daemon;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.admin.AdminOperations;
import io.sluice.config.PoolConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.direct.DirectRouting;
import io.sluice.discovery.Discovery;
import io.sluice.drain.Drains;
import io.sluice.handover.HandoverStatus;
import io.sluice.handover.Takeover;
import io.sluice.history.TrafficHistory;
import io.sluice.listener.Listener;
import io.sluice.metrics.DaemonMetrics;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.pool.Pool;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.state.OverrideStore;
import io.sluice.transport.Transport;
import io.sluice.upstream.Upstreams;
import io.sluice.yaml.ConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon, as a composition root: it builds the event loops and the control thread,
 * then the parts, hands each the others it needs, and runs their start and stop in order. The
 * parts: the {@link Upstreams} (pools, health, discovery), the {@link Drains}, the listeners
 * ({@link BoundListeners}), the {@link ControlPlane} (running config, overrides and their store,
 * reload), the admin endpoint ({@link AdminEndpoint} serving {@link DaemonAdmin}), the handover
 * ({@link DaemonHandover}), the shutdown grace of open connections ({@link ConnectionGrace}), and the
 * {@link Lifecycle} phase from which readiness is derived. The steps of a start are {@link Startup}'s.
 * No part calls back into this class.
 *
 * <p>Lifecycle: {@link #start} binds every listener or none (a failed bind unwinds what was bound
 * and throws); {@link #stop} runs the shutdown order: readiness false, stop accepting, let open
 * connections finish for the grace period, close the rest, stop health checks and discovery, the
 * admin server, the control thread and the event loops. {@code stop} is safe to call twice.
 *
 * <p>The control thread (one scheduled executor) does everything that may scan or wait: backend
 * state changes and pool rebuilds, drain deadlines, stick-table sweeps, slow-start ramps, reloads.
 * Event loops never wait on it. Health checks run on their own event loop.
 */
public final class SluiceDaemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SluiceDaemon.class);

    private final Transport transport;
    private final EventLoopGroup workers;
    private final EventLoopGroup healthLoop;
    private final EventLoopGroup adminLoop;
    private final ScheduledExecutorService control;
    private final Lifecycle lifecycle = new Lifecycle();
    private final ConnectionTracker tracker = new ConnectionTracker();
    private final DaemonMetrics daemonMetrics;
    private final ProxyMetrics metrics;
    private final Drains drains;
    private final TrafficHistory history;
    private final Upstreams upstreams;
    private final RunningConfig running;
    private final OverrideStore overrides;
    private final BoundListeners listeners;
    private final ControlPlane plane;
    private final AdminEndpoint admin;
    private final DaemonHandover handover;
    private final ConnectionGrace connectionGrace;
    /** The kernel-forwarded listeners (docs/direct-routing.md); does nothing without a direct section. */
    private final DirectRouting direct;
    /**
     * A takeover that failed after adopting connections: no listener, no admin API, no handover
     * socket; it serves those connections until they end ({@link #servesOnlyAdopted}).
     */
    private volatile boolean leftover;
    /** The steps of a start (from the config, or by takeover), over the parts built here. */
    private final Startup startup;

    private SluiceDaemon(SluiceConfig config, boolean bindOnFirstSnapshots) {
        this.transport = Transport.detect();
        this.workers = transport.newEventLoopGroup(Transport.ioThreads(), "sluice-io");
        this.healthLoop = transport.newEventLoopGroup(1, "sluice-health");
        this.adminLoop = transport.newEventLoopGroup(1, "sluice-admin-io");
        this.control = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("sluice-control", true));
        this.daemonMetrics = new DaemonMetrics(this::pools);
        this.metrics = new ProxyMetrics(daemonMetrics.registry());
        this.drains = new Drains(control, tracker);
        this.upstreams = new Upstreams(transport, healthLoop, control, drains, daemonMetrics.registry(),
                this::registrySource, this::onFirstSnapshots, pool -> daemonMetrics.trackPools());
        this.running = new RunningConfig(config, transport, upstreams, tracker, metrics);
        this.overrides = OverrideStores.open(config);
        StoreMetrics.bind(daemonMetrics.registry(), overrides);
        BackendControl backends = new BackendControl(upstreams, drains, control, overrides);
        backends.followStore();
        this.listeners = new BoundListeners(transport, workers, running::settingsFor);
        this.direct = new DirectRouting(upstreams::pools, daemonMetrics.registry());
        this.plane = new ControlPlane(control, running, upstreams, overrides, backends, listeners, tracker, daemonMetrics,
                lifecycle, direct);
        HandoverStatus handoverStatus = new HandoverStatus(daemonMetrics.registry());
        this.history = new TrafficHistory(upstreams::pools, tracker, Clock.systemUTC());
        this.admin = new AdminEndpoint(config.admin(), new DaemonAdmin(Instant.now(), transport, lifecycle, plane,
                upstreams, listeners, tracker, handoverStatus, daemonMetrics, history), transport, adminLoop);
        this.handover = new DaemonHandover(transport, workers, lifecycle, plane, upstreams, listeners, admin, tracker,
                handoverStatus);
        this.connectionGrace = new ConnectionGrace(tracker, lifecycle, control);
        this.startup = new Startup(transport, workers, control, lifecycle, daemonMetrics, upstreams, running, listeners,
                direct, plane, admin, handover, tracker, history, bindOnFirstSnapshots);
    }

    /**
     * Builds and binds everything in {@code config}.
     *
     * @throws Listener.BindFailedException if a listener (or the admin API) cannot be bound; nothing
     *                                      is left running
     */
    public static SluiceDaemon start(SluiceConfig config) throws Listener.BindFailedException {
        boolean waitForDiscovery = config.discovery() != null && config.discovery().waitForFirstSnapshot()
                && config.pools().values().stream().anyMatch(p -> p.discover() != null);
        SluiceDaemon daemon = new SluiceDaemon(config, waitForDiscovery);
        try {
            daemon.startup.bind(config);
        } catch (Listener.BindFailedException | RuntimeException e) {
            daemon.stop(Duration.ZERO);
            throw e;
        }
        daemon.startup.serve(config);
        return daemon;
    }

    /**
     * Starts a daemon that takes over the listeners, connections and state of the one listening
     * on {@code socket} (docs/handover.md), then binds whatever it did not get, and listens for
     * the next handover on its own {@code handover.socket} (or {@code socket}).
     *
     * @throws Takeover.Failed if the takeover failed before this process held any listener
     *                         (nothing is left running; the old daemon carries on)
     * @throws Listener.BindFailedException never after a connection was adopted (then problems are logged)
     */
    public static SluiceDaemon takeOver(SluiceConfig config, Path socket) throws Takeover.Failed, Listener.BindFailedException {
        return takeOver(config, socket, () -> {});
    }

    /** {@link #takeOver(SluiceConfig, Path)}, running {@code beforeBye} (systemd's MAINPID) before the old daemon is let go. */
    public static SluiceDaemon takeOver(SluiceConfig config, Path socket, Runnable beforeBye)
            throws Takeover.Failed, Listener.BindFailedException {
        SluiceDaemon daemon = new SluiceDaemon(config, false);
        boolean tookOver;
        try {
            tookOver = daemon.startup.takeOver(config, socket, beforeBye);
        } catch (Takeover.Failed | Listener.BindFailedException | RuntimeException e) {
            daemon.stop(Duration.ZERO); // nothing was handed over: the old daemon carries on
            throw e;
        }
        if (tookOver) {
            daemon.startup.serveAfterTakeover(config, socket);
        } else {
            daemon.leftover = true;
        }
        return daemon;
    }

    /** The registry source for a pool that discovers, from the running config's {@code discovery} settings. */
    private Discovery registrySource(PoolConfig pool) {
        return RegistrySources.create(running.config(), pool);
    }

    /** Control thread: every discovering pool has its first set (the start decides what follows). */
    private void onFirstSnapshots() {
        startup.onFirstSnapshots();
    }

    // ---- reload ------------------------------------------------------------------------------

    /**
     * Re-reads the config file this daemon was started with and applies it (also on SIGHUP);
     * refused while a handover runs or after one, and while stopping.
     *
     * @return what kept part of it from applying; empty when all applied
     * @throws ConfigException with every error when the new file is invalid; the running config stays
     */
    public List<String> reloadFromFile() throws ConfigException {
        return plane.reloadFromFile(handover.status().state()).problems();
    }

    /**
     * Applies {@code next} without dropping a connection (see docs/operations.md, reload).
     *
     * @return problems that kept part of it from applying (a listener that could not bind); empty when all applied
     */
    public List<String> reload(SluiceConfig next) {
        return plane.reload(next);
    }

    // ---- for sluice run, tests and embedders ----------------------------------------------------

    /**
     * Whether this daemon only serves connections adopted in a takeover that failed afterwards (the
     * old process kept the listeners); {@code sluice run} stops it, exit 1, once they all ended.
     */
    public boolean servesOnlyAdopted() {
        return leftover;
    }

    /** Runs {@code action} once, on the control thread, when no client connection is left (checked every second). */
    public void whenNoConnectionsLeft(Runnable action) {
        connectionGrace.whenNoneLeft(action);
    }

    /** Handover socket, state and last outcome, for the admin API. */
    public HandoverStatus handoverStatus() {
        return handover.status();
    }

    /** What to do once every connection went to a new process (sluice run: stop, and exit 0). */
    public void onHandedOver(Runnable action) {
        handover.onHandedOver(action);
    }

    public SluiceConfig config() {
        return plane.config();
    }

    public Transport transport() {
        return transport;
    }

    /** Where listener {@code name} is bound (the real port if the config said 0). */
    public InetSocketAddress boundAddress(String name) {
        Listener l = listeners.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no listener named '" + name + "'");
        }
        return l.localAddress();
    }

    /** Where the admin API listens, or null when there is none. */
    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    public Pool pool(String name) {
        Pool p = upstreams.pools().get(name);
        if (p == null) {
            throw new IllegalArgumentException("no pool named '" + name + "'");
        }
        return p;
    }

    public Map<String, Pool> pools() {
        return upstreams.pools();
    }

    public ConnectionTracker connections() {
        return tracker;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /** Admin actions for tests and embedders (the admin API goes through the same code). */
    public AdminOperations admin() {
        return admin.operations();
    }

    // ---- shutdown ----------------------------------------------------------------------------

    /**
     * Graceful stop: readiness false, unbind, wait up to {@code grace} for open connections to end,
     * close the rest, stop everything else. Blocks the calling thread (never call it from an event loop).
     */
    public void stop(Duration grace) {
        Lifecycle.Phase from = lifecycle.draining(); // readiness is false from here on
        if (from == null) {
            return;
        }
        handover.close(from == Lifecycle.Phase.HANDED_OVER); // after a handover the path is the new process's socket
        listeners.closeAll();
        connectionGrace.drain(grace);
        direct.close(); // before health checks stop: the kernel keeps the last healthy table
        upstreams.close();
        admin.close();
        drains.close();
        overrides.close();
        control.shutdownNow();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        healthLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        adminLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        daemonMetrics.close();
        lifecycle.stopped();
        log.info("Sluice stopped");
    }

    /** Ends a running {@link #stop} grace period now (a second SIGTERM): open connections are closed. */
    public void abandonGrace() {
        lifecycle.abandonGrace();
    }

    /** Stops with the configured {@code timeouts.shutdown-grace}. */
    @Override
    public void close() {
        stop(plane.config().timeouts().shutdownGrace());
    }
}
