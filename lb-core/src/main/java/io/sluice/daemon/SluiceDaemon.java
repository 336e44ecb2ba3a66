package io.sluice.daemon;

import io.netty.channel.EventLoopGroup;
import io.sluice.accesslog.AccessLog;
import io.sluice.admin.AdminServer;
import io.sluice.backend.Backend;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.ListenerConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.handover.HandoverException;
import io.sluice.handover.HandoverServer;
import io.sluice.handover.HandoverStatus;
import io.sluice.handover.Takeover;
import io.sluice.health.HealthChecker;
import io.sluice.health.HealthListener;
import io.sluice.limit.ConnectionLimiter;
import io.sluice.listener.Listener;
import io.sluice.metrics.DaemonMetrics;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.pool.Pool;
import io.sluice.proxy.CloseReason;
import io.sluice.proxy.ConnectObserver;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.proxy.FrontendSettings;
import io.sluice.route.RouteTable;
import io.sluice.state.OverrideStore;
import io.sluice.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: event loops, pools, listeners, health checkers, the admin server, and the
 * control thread around them.
 *
 * <p>Lifecycle: {@link #start} binds every listener or none (a failed bind unwinds what was bound
 * and throws); {@link #stop} runs the shutdown order: readiness false, stop accepting, let open
 * connections finish for the grace period, close the rest, stop health checks, the admin server,
 * the control thread and the event loops. {@code stop} is safe to call twice.
 *
 * <p>The control thread (one scheduled executor) does everything that may scan or wait: backend
 * state changes and pool rebuilds, drain deadlines, stick-table sweeps, slow-start ramps, reloads.
 * Event loops never wait on it. Health checks run on their own event loop.
 */
public final class SluiceDaemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SluiceDaemon.class);

    private enum State { STARTED, STOPPING, STOPPED }

    private final Transport transport;
    private final EventLoopGroup workers;
    private final EventLoopGroup healthLoop;
    private final EventLoopGroup adminLoop;
    private final ScheduledExecutorService control;
    private final ConnectionTracker tracker = new ConnectionTracker();
    private final DaemonMetrics daemonMetrics;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog = new AccessLog();
    private final OverrideStore overrides;
    private final BackendControl backends;
    private final DiscoveredPools discovery;
    private final Instant startedAt = Instant.now();
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTED);

    private volatile SluiceConfig config;
    private volatile ConnectionLimiter limiter;
    private volatile Map<String, Pool> pools = Map.of();
    private volatile Map<String, HealthChecker> checkers = Map.of();
    private final BoundListeners listeners;
    private volatile boolean ready;
    private volatile boolean listenersBound;
    /** Set once at start: listeners wait for the first discovery snapshots. */
    private volatile boolean awaitingDiscovery;
    private volatile boolean graceAbandoned;
    private volatile AdminServer adminServer;
    private final HandoverStatus handoverStatus;
    private volatile HandoverServer handoverServer;
    /** Set once everything went to a new process: the socket path is that process's now. */
    private volatile boolean handedOver;
    private volatile Runnable onHandedOver = () -> {};

    private SluiceDaemon(SluiceConfig config) {
        this.config = config;
        this.transport = Transport.detect();
        this.workers = transport.newEventLoopGroup(Transport.ioThreads(), "sluice-io");
        this.healthLoop = transport.newEventLoopGroup(1, "sluice-health");
        this.adminLoop = transport.newEventLoopGroup(1, "sluice-admin-io");
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-control");
            t.setDaemon(true);
            return t;
        });
        this.daemonMetrics = new DaemonMetrics(() -> pools);
        this.metrics = new ProxyMetrics(daemonMetrics.registry());
        this.handoverStatus = new HandoverStatus(daemonMetrics.registry());
        this.listeners = new BoundListeners(transport, workers, this::settingsFor);
        this.limiter = new ConnectionLimiter(config.limits().maxConnections(), config.limits().maxConnectionsPerSource());
        this.overrides = OverrideStores.open(config);
        this.backends = new BackendControl(() -> pools, tracker, control, overrides, daemonMetrics.registry());
        backends.followStore();
        this.discovery = new DiscoveredPools(() -> pools, backends, pc -> RegistrySources.create(this.config, pc),
                daemonMetrics.registry(), this::onFirstSnapshots, this::backendSetChanged);
    }

    /**
     * Builds and binds everything in {@code config}.
     *
     * @throws Listener.BindFailedException if a listener (or the admin API) cannot be bound; nothing
     *                                      is left running
     */
    public static SluiceDaemon start(SluiceConfig config) throws Listener.BindFailedException {
        SluiceDaemon daemon = new SluiceDaemon(config);
        boolean waitForDiscovery = config.discovery() != null && config.discovery().waitForFirstSnapshot()
                && config.pools().values().stream().anyMatch(p -> p.discover() != null);
        daemon.awaitingDiscovery = waitForDiscovery;
        try {
            daemon.buildPoolsAndDiscover();
            if (!waitForDiscovery) {
                daemon.bindAll();
            }
            daemon.startAdmin();
            daemon.startHandoverServer(null, false);
        } catch (Listener.BindFailedException | RuntimeException e) {
            daemon.stop(Duration.ZERO);
            throw e;
        }
        String admin = daemon.startPeriodicWork();
        if (waitForDiscovery) {
            log.info("Sluice started: {} on {} transport{}; listeners wait for the first discovery snapshot of every discovering pool",
                    config.summary(), daemon.transport.name().toLowerCase(), admin);
            daemon.control.execute(daemon::onFirstSnapshots); // in case they arrived meanwhile
        } else {
            daemon.ready = true;
            log.info("Sluice started: {} on {} transport; listening on {}{}",
                    config.summary(), daemon.transport.name().toLowerCase(), daemon.describeListeners(), admin);
        }
        return daemon;
    }

    /**
     * Starts a daemon that takes over the listeners, connections and state of the one listening
     * on {@code socket} (docs/handover.md), then binds whatever it did not get, and listens for
     * the next handover on its own {@code handover.socket} (or {@code socket}).
     *
     * @param beforeBye run just before the old daemon is told it may go (systemd's MAINPID)
     * @throws Takeover.Failed if the takeover failed before this process held any listener
     *                         (nothing is left running; the old daemon carries on)
     * @throws Listener.BindFailedException never after a connection was adopted (then problems are logged)
     */
    public static SluiceDaemon takeOver(SluiceConfig config, Path socket) throws Takeover.Failed, Listener.BindFailedException {
        return takeOver(config, socket, () -> {});
    }

    /** {@link #takeOver(SluiceConfig, Path)}, running {@code beforeBye} before the old daemon is let go. */
    public static SluiceDaemon takeOver(SluiceConfig config, Path socket, Runnable beforeBye)
            throws Takeover.Failed, Listener.BindFailedException {
        SluiceDaemon daemon = new SluiceDaemon(config);
        boolean complete = true;
        try {
            daemon.buildPoolsAndDiscover();
            daemon.awaitFirstSnapshots(Duration.ofSeconds(30));
            try {
                Takeover.run(socket, daemon.transport, new DaemonHandover(daemon), daemon.handoverStatus, beforeBye);
            } catch (Takeover.Failed e) {
                if (!e.listenersTaken()) {
                    throw e;
                }
                complete = false;
                log.error("Takeover stopped early ({}); serving what was handed over, binding the rest", e.getMessage());
            }
        } catch (Takeover.Failed | RuntimeException e) {
            daemon.stop(Duration.ZERO); // nothing was handed over: the old daemon carries on
            throw e;
        }
        // From here on this process serves connections it adopted: nothing may stop it any more.
        // What cannot be set up is logged, as a reload does, and the daemon runs without it.
        for (ListenerConfig lc : config.listeners()) {
            if (daemon.listener(lc.name()) == null) {
                try {
                    daemon.bindListener(lc);
                } catch (Listener.BindFailedException e) {
                    log.error("{}; the daemon runs without this listener (fix and reload)", e.getMessage());
                }
            }
        }
        daemon.listenersBound = true;
        if (daemon.adminServer == null) {
            try {
                daemon.startAdmin();
            } catch (Listener.BindFailedException e) {
                log.error("{}; the daemon runs without its admin API", e.getMessage());
            }
        }
        if (complete) {
            try {
                daemon.startHandoverServer(socket, true);
            } catch (Listener.BindFailedException e) {
                log.error("{}; the next upgrade cannot take over from this daemon until it is restarted", e.getMessage());
            }
        } else {
            log.warn("No handover socket after an incomplete takeover: the old process still has {}", socket);
        }
        String admin = daemon.startPeriodicWork();
        daemon.ready = true;
        log.info("Sluice started by takeover: {} on {} transport; listening on {}{}", config.summary(),
                daemon.transport.name().toLowerCase(), daemon.describeListeners(), admin);
        return daemon;
    }

    /** Control thread, waited for: pools and health checkers from the config, then discovery starts. */
    private void buildPoolsAndDiscover() {
        onControl(() -> {
            buildPools(config);
            discovery.start(config.pools());
            return null;
        });
    }

    /** Gauges and the once-a-second control task, once everything is bound; returns the admin part of the start line. */
    private String startPeriodicWork() {
        daemonMetrics.bindProcessMetrics(workers);
        daemonMetrics.trackPools();
        daemonMetrics.trackListeners(config.listeners().stream().map(ListenerConfig::name).toList(), tracker);
        control.scheduleWithFixedDelay(this::everySecond, 1, 1, TimeUnit.SECONDS);
        return adminServer == null ? "" : "; admin API on " + hostPort(adminServer.localAddress());
    }

    /** A takeover waits for discovery, so the connections it adopts find their backends (bounded). */
    private void awaitFirstSnapshots(Duration atMost) {
        boolean discovering = config.discovery() != null && config.pools().values().stream().anyMatch(p -> p.discover() != null);
        long deadline = System.nanoTime() + atMost.toNanos();
        while (discovering && !discovery.allSynced() && System.nanoTime() - deadline < 0) {
            sleepQuietly(50);
        }
        if (discovering && !discovery.allSynced()) {
            log.warn("Taking over before every discovering pool has its first snapshot ({} passed)", atMost);
        }
    }

    /** Listens on {@code handover.socket}, or on {@code fallback} (the socket we took over through), if either. */
    private void startHandoverServer(Path fallback, boolean succeeding) throws Listener.BindFailedException {
        Path path = config.handover() != null ? config.handover().socket() : fallback;
        if (path == null) {
            return;
        }
        try {
            handoverServer = HandoverServer.listen(path, transport, new DaemonHandover(this), handoverStatus, succeeding);
            log.info("Handover socket: {}", path);
        } catch (HandoverException e) {
            throw new Listener.BindFailedException(e.getMessage(), e);
        }
    }

    /** Control thread: every discovering pool has its first set; bind if that was what we waited for. */
    private void onFirstSnapshots() {
        // Only a start that deferred binding binds here; every other start binds in start() itself.
        if (!awaitingDiscovery || listenersBound || state.get() != State.STARTED || !discovery.allSynced()) {
            return;
        }
        try {
            bindAll();
            ready = true;
            daemonMetrics.trackPools();
            log.info("First discovery snapshots in; listening on {}", describeListeners());
        } catch (Listener.BindFailedException e) {
            log.error("{}; the daemon stays up without that listener (fix and reload)", e.getMessage());
        }
    }

    /** A discovery snapshot changed a pool's backends: health checks follow, gauges too. Control thread. */
    private void backendSetChanged(Pool pool) {
        HealthChecker c = checkers.get(pool.name());
        if (c != null) {
            c.update(pool.backends());
        }
        daemonMetrics.trackPools();
    }

    /** Discovery state for /readyz. */
    boolean discoverySynced() {
        return discovery.allSynced();
    }

    /** Seconds since the pool's last discovery snapshot, or null (not discovering, or none yet). */
    Double discoveryStaleness(String pool) {
        double s = discovery.staleness(pool);
        return Double.isNaN(s) ? null : Math.round(s * 10) / 10.0;
    }

    Map<String, Object> discoveryDetails() {
        return discovery.details();
    }

    // ---- building ----------------------------------------------------------------------------

    /** Control thread: pools (reusing existing ones by name), overrides, health checkers. */
    private void buildPools(SluiceConfig next) {
        Map<String, Pool> old = pools;
        Map<String, Pool> built = new LinkedHashMap<>();
        for (PoolConfig pc : next.pools().values()) {
            Pool existing = old.get(pc.name());
            if (existing != null && existing.config().balance() == pc.balance()) {
                existing.reconfigure(pc);
                discovery.reapply(existing); // reconfigure set the static backends; add the discovered ones
                built.put(pc.name(), existing);
            } else {
                // New pool, or a new algorithm: a new Pool; connections on the old one run on untouched.
                // Backends keep their state by name: the health checker is kept when its settings did
                // not change and only reports transitions, so a DOWN backend must not restart UP here.
                built.put(pc.name(), new Pool(pc, System::nanoTime, existing));
            }
        }
        pools = Collections.unmodifiableMap(built);
        for (Pool p : built.values()) {
            backends.applyOverrides(p);
        }
        Map<String, HealthChecker> oldCheckers = checkers;
        Map<String, HealthChecker> nextCheckers = new LinkedHashMap<>();
        HealthListener listener = new CheckerEvents();
        for (Pool p : built.values()) {
            HealthChecker c = oldCheckers.get(p.name());
            PoolConfig pc = p.config();
            if (c == null || !c.config().equals(pc.health()) || !c.passive().equals(pc.passive())) {
                if (c != null) {
                    c.close();
                    // A new checker starts every backend UP (optimistic); make the state agree, or a
                    // backend DOWN under the old checker would never be reported UP again.
                    for (Backend b : p.backends()) {
                        if (!b.state().up()) {
                            b.state().health(true, "health settings changed");
                        }
                    }
                    p.rebuild();
                }
                c = new HealthChecker(p.name(), pc.health(), pc.passive(), transport, healthLoop, listener, System::nanoTime);
            }
            c.update(p.backends());
            nextCheckers.put(p.name(), c);
        }
        oldCheckers.forEach((name, c) -> {
            if (!nextCheckers.containsKey(name)) {
                c.close();
            }
        });
        checkers = Collections.unmodifiableMap(nextCheckers);
    }

    private FrontendSettings settingsFor(ListenerConfig lc) {
        Map<String, Pool> current = pools;
        return new FrontendSettings(
                lc,
                lc.pool() == null ? null : current.get(lc.pool()),
                current,
                lc.tls() == null ? null : RouteTable.of(lc.tls()),
                config.timeouts().idle(),
                transport,
                limiter,
                tracker,
                metrics,
                accessLog,
                new PassiveHealth());
    }

    private void bindAll() throws Listener.BindFailedException {
        for (ListenerConfig lc : config.listeners()) {
            bindListener(lc);
        }
        listenersBound = true;
    }

    void bindListener(ListenerConfig lc) throws Listener.BindFailedException {
        listeners.bind(lc);
    }

    /** Serves a listening socket handed over by the process we take over from. */
    void adoptListener(ListenerConfig lc, int fd) throws Listener.BindFailedException {
        listeners.adopt(lc, fd);
    }

    /**
     * A takeover's listeners are ours: we accept, and the old process stops. Ready from now on, so
     * a health check of /readyz sees no gap while the connections move.
     */
    void acceptingTakenOver() {
        ready = true;
    }

    /** Closes a listener (a handover: the new process did not take it). */
    void removeListener(String name) {
        listeners.remove(name);
    }

    private void startAdmin() throws Listener.BindFailedException {
        startAdmin(-1);
    }

    /** Serves the admin API on the socket the process we take over from handed over; false if it cannot. */
    boolean adoptAdmin(int fd) {
        try {
            startAdmin(fd);
            return adminServer != null;
        } catch (Listener.BindFailedException e) {
            log.error("{}; the admin API will be bound anew", e.getMessage());
            return false;
        }
    }

    private void startAdmin(int inheritedFd) throws Listener.BindFailedException {
        if (config.admin() == null) {
            return;
        }
        String token = null;
        Path tokenFile = config.admin().tokenFile();
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile).strip();
            } catch (IOException e) {
                throw new Listener.BindFailedException("cannot read admin token file " + tokenFile + ": " + e.getMessage(), e);
            }
        }
        try {
            adminServer = AdminServer.start(config.admin().bind(), new DaemonAdmin(this), token, transport, adminLoop, inheritedFd);
        } catch (AdminServer.BindFailedException e) {
            throw new Listener.BindFailedException(e.getMessage(), e);
        }
    }

    private void everySecond() {
        try {
            for (Pool p : pools.values()) {
                p.sweepStickTable();
            }
            backends.tick();
            discovery.tick();
        } catch (RuntimeException e) {
            log.error("periodic control task failed", e);
        }
    }

    // ---- reload ------------------------------------------------------------------------------

    /**
     * Re-reads the config file this daemon was started with and applies it (also on SIGHUP).
     *
     * @throws ConfigException with every error when the new file is invalid; the running config stays
     */
    public ReloadOutcome reloadFromFile() throws ConfigException {
        if (handedOver || !"idle".equals(handoverStatus.state())) {
            // Listeners bound now would never be offered to the new process, and die with this one.
            log.error("Reload refused: a handover is in progress or done (reload the new daemon once it serves)");
            return new ReloadOutcome(config, List.of("a handover is in progress or done; nothing was reloaded"
                    + " (reload the new daemon once it serves)"));
        }
        SluiceConfig next = ConfigLoader.load(Path.of(config.source()));
        return new ReloadOutcome(next, reload(next));
    }

    /** A reload that was applied, with what could not be (a listener that failed to bind), if anything. */
    public record ReloadOutcome(SluiceConfig config, List<String> problems) {}

    /**
     * Applies {@code next} without dropping a connection: pools and backends change in place (a
     * removed backend's or pool's connections run on until they end), listeners that did not change
     * keep their socket, changed ones are bound anew (SO_REUSEPORT lets the same port overlap) before
     * the old socket closes, removed ones stop accepting. Admin API and state store changes need a
     * restart (logged).
     *
     * @return problems that kept part of it from applying (a listener that could not bind); empty when all applied
     */
    public List<String> reload(SluiceConfig next) {
        SluiceConfig previous = config;
        List<String> problems = new ArrayList<>();
        onControl(() -> {
            config = next;
            limiter = limiter.withLimits(next.limits().maxConnections(), next.limits().maxConnectionsPerSource());
            buildPools(next);
            discovery.start(next.pools()); // keeps the last discovered sets while the sources reconnect
            for (Pool p : pools.values()) {
                discovery.reapply(p); // pools new in this reload get their last known sets
            }
            return null;
        });
        List<String> changes = new ArrayList<>();
        listeners.apply(next.listeners(), changes, problems);
        if (!java.util.Objects.equals(previous.admin(), next.admin()) || !previous.state().equals(next.state())) {
            log.warn("reload: admin or state settings changed; they take effect at the next restart");
        }
        daemonMetrics.trackPools();
        daemonMetrics.trackListeners(next.listeners().stream().map(ListenerConfig::name).toList(), tracker);
        log.info("Reloaded {}: {}{}", next.source(), next.summary(), changes.isEmpty() ? "" : "; " + String.join("; ", changes));
        return problems;
    }

    // ---- accessors ----------------------------------------------------------------------------

    /** Runs {@code task} on the control thread and waits for it (never call from an event loop). */
    <T> T onControl(Callable<T> task) {
        try {
            return control.submit(task).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the control thread did not answer in 30 s", e);
        }
    }

    BackendControl backendControl() {
        return backends;
    }

    AdminServer adminServer() {
        return adminServer;
    }

    io.sluice.state.OverrideStore overrides() {
        return overrides;
    }

    Listener listener(String name) {
        return listeners.get(name);
    }

    io.netty.channel.EventLoop nextWorker() {
        return workers.next();
    }

    /** Handover socket, state and last outcome, for the admin API. */
    public HandoverStatus handoverStatus() {
        return handoverStatus;
    }

    /** What to do once every connection went to a new process (sluice run: stop, and exit 0). */
    public void onHandedOver(Runnable action) {
        this.onHandedOver = action;
        if (handedOver) {
            action.run(); // a handover that finished before anyone asked
        }
    }

    /** The handover finished: the new process serves the listeners; we only drain what stayed. */
    void handedOver(int kept) {
        handedOver = true;
        ready = false;
        log.info("Everything is handed over{}; stopping", kept == 0 ? "" : " but " + kept + " connections, which drain here");
        onHandedOver.run();
        // The admin socket is the new process's now; close ours, with its open (keep-alive) admin
        // connections, so clients such as sluicectl reconnect there instead of asking us.
        AdminServer admin = adminServer;
        if (admin != null) {
            admin.close();
        }
    }

    Map<String, HealthChecker> checkers() {
        return checkers;
    }

    DaemonMetrics daemonMetrics() {
        return daemonMetrics;
    }

    Instant startedAt() {
        return startedAt;
    }

    boolean isReady() {
        return ready;
    }

    List<Listener> listeners() {
        return listeners.all();
    }

    public SluiceConfig config() {
        return config;
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
        return adminServer == null ? null : adminServer.localAddress();
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

    /** Admin actions for tests and embedders (the admin API goes through the same code). */
    public io.sluice.admin.AdminOperations admin() {
        return new DaemonAdmin(this);
    }

    // ---- shutdown ----------------------------------------------------------------------------

    /**
     * Graceful stop: readiness false, unbind, wait up to {@code grace} for open connections to end,
     * close the rest, stop everything else. Blocks the calling thread (never call it from an event loop).
     */
    public void stop(Duration grace) {
        if (!state.compareAndSet(State.STARTED, State.STOPPING)) {
            return;
        }
        ready = false;
        if (handoverServer != null) {
            handoverServer.close(!handedOver); // after a handover the path is the new process's socket
        }
        listeners.closeAll();
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
        control.execute(discovery::stop);
        checkers.values().forEach(HealthChecker::close);
        if (adminServer != null) {
            adminServer.close();
        }
        backends.close();
        overrides.close();
        control.shutdownNow();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        healthLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        adminLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        daemonMetrics.close();
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

    private String describeListeners() {
        return listeners.describe();
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Passive health: real traffic's connect outcomes go to the pool's checker. Event loops; lock-free. */
    private final class PassiveHealth implements ConnectObserver {
        @Override
        public void connectFailed(Pool pool, Backend backend) {
            HealthChecker c = checkers.get(pool.name());
            if (c != null) {
                c.connectFailed(backend);
            }
        }

        @Override
        public void connectSucceeded(Pool pool, Backend backend) {
            HealthChecker c = checkers.get(pool.name());
            if (c != null) {
                c.connectSucceeded(backend);
            }
        }
    }

    /** Health checkers' events, turned into backend state changes on the control thread. */
    private final class CheckerEvents implements HealthListener {
        @Override
        public void healthChanged(String pool, Backend backend, boolean up, String cause) {
            backends.healthChanged(pool, backend.name(), up, cause);
        }

        @Override
        public void checked(String pool, Backend backend, Instant at, String result) {
            backend.state().checked(at, result);
            String word = result.split("[ :]", 2)[0];
            daemonMetrics.registry().counter("sluice.backend.health.checks", "pool", pool,
                    "backend", backend.name(), "result", word).increment();
        }
    }
}
