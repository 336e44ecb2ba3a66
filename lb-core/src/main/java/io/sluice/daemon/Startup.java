package io.sluice.daemon;

import io.netty.channel.EventLoopGroup;
import io.sluice.config.ListenerConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.direct.DirectPlane;
import io.sluice.direct.DirectRouting;
import io.sluice.handover.Takeover;
import io.sluice.history.TrafficHistory;
import io.sluice.listener.Listener;
import io.sluice.metrics.DaemonMetrics;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.transport.Transport;
import io.sluice.upstream.Upstreams;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two ways a {@link SluiceDaemon} starts, step by step, over parts it is handed built: from its
 * config (bind every listener, or wait for the first discovery snapshots), or by taking over from a
 * running daemon (adopt, then bind what did not come over); then the periodic work. The daemon
 * unwinds a start that throws; nothing here stops anything.
 *
 * <p>Called on the thread that starts the daemon (main, or a test's), except
 * {@link #onFirstSnapshots}, which runs on the control thread; the parts it drives are safe for
 * both, and its only own state is final.
 */
final class Startup {

    /**
     * The daemon's logger, not this class's: the start lines ("Sluice started ...") keep the logger
     * name they always had, which log pipelines and operators filter on (JsonDaemonLogTest).
     */
    private static final Logger log = LoggerFactory.getLogger(SluiceDaemon.class);

    private final Transport transport;
    private final EventLoopGroup workers;
    private final ScheduledExecutorService control;
    private final Lifecycle lifecycle;
    private final DaemonMetrics daemonMetrics;
    private final Upstreams upstreams;
    private final RunningConfig running;
    private final BoundListeners listeners;
    private final DirectRouting direct;
    private final ControlPlane plane;
    private final AdminEndpoint admin;
    private final DaemonHandover handover;
    private final ConnectionTracker tracker;
    private final TrafficHistory history;
    /** Listeners are bound once the first discovery snapshots are in, not before. */
    private final boolean bindOnFirstSnapshots;

    Startup(Transport transport, EventLoopGroup workers, ScheduledExecutorService control, Lifecycle lifecycle,
            DaemonMetrics daemonMetrics, Upstreams upstreams, RunningConfig running, BoundListeners listeners,
            DirectRouting direct, ControlPlane plane, AdminEndpoint admin, DaemonHandover handover,
            ConnectionTracker tracker, TrafficHistory history, boolean bindOnFirstSnapshots) {
        this.transport = transport;
        this.workers = workers;
        this.control = control;
        this.lifecycle = lifecycle;
        this.daemonMetrics = daemonMetrics;
        this.upstreams = upstreams;
        this.running = running;
        this.listeners = listeners;
        this.direct = direct;
        this.plane = plane;
        this.admin = admin;
        this.handover = handover;
        this.tracker = tracker;
        this.history = history;
        this.bindOnFirstSnapshots = bindOnFirstSnapshots;
    }

    /** A start from the config: pools, direct listeners, listeners (unless they wait for discovery), admin, handover socket. */
    void bind(SluiceConfig config) throws Listener.BindFailedException {
        plane.buildUpstreams();
        startDirect(config);
        if (!bindOnFirstSnapshots) {
            listeners.bindAll(config.listeners());
        }
        admin.start();
        handover.listen(null, false);
    }

    /** After {@link #bind}: the periodic work, serving (or waiting for discovery), and the start line. */
    void serve(SluiceConfig config) {
        String adminAt = startPeriodicWork();
        if (bindOnFirstSnapshots) {
            log.info("Sluice started: {} on {} transport{}; listeners wait for the first discovery snapshot of every discovering pool",
                    config.summary(), transportName(), adminAt);
            control.execute(this::onFirstSnapshots); // in case they arrived meanwhile
        } else {
            lifecycle.serving();
            log.info("Sluice started: {} on {} transport; listening on {}{}",
                    config.summary(), transportName(), listeners.describe(), adminAt);
        }
    }

    /**
     * Takes over from the daemon on {@code socket}. Returns false when it adopted connections but the
     * takeover failed after it took the listeners: the old process serves them again, and this one
     * only serves what it adopted (its periodic work runs; nothing else is bound).
     *
     * @throws Takeover.Failed if nothing was adopted (the old daemon carries on)
     */
    boolean takeOver(SluiceConfig config, Path socket, Runnable beforeBye)
            throws Takeover.Failed, Listener.BindFailedException {
        plane.buildUpstreams();
        startDirect(config);
        // The connections it adopts must find their backends: wait for discovery (bounded).
        upstreams.awaitDiscovery(Duration.ofSeconds(30));
        try {
            handover.takeOver(socket, beforeBye);
            return true;
        } catch (Takeover.Failed e) {
            if (!e.listenersTaken()) {
                throw e;
            }
            // The old process gave up on us and accepts on these sockets again: let them go at
            // once, so two daemons never serve one socket (docs/handover.md, "Deadlines").
            listeners.closeAll();
            admin.close();
            // The old process keeps programming the kernel table; this one stops writing to it.
            direct.close();
            if (tracker.size() == 0) {
                throw e;
            }
            log.error("Takeover failed after it took the listeners ({}); the old process serves them again;"
                    + " this process serves the {} connections it has until they end, then exits 1",
                    e.getMessage(), tracker.size());
            startPeriodicWork();
            return false;
        }
    }

    /**
     * After a {@link #takeOver} that succeeded, this process serves connections it adopted: nothing
     * may stop it any more. What cannot be set up is logged, as a reload does, and the daemon runs
     * without it.
     */
    void serveAfterTakeover(SluiceConfig config, Path socket) {
        for (ListenerConfig lc : config.listeners()) {
            if (listeners.get(lc.name()) == null) {
                try {
                    listeners.bind(lc);
                } catch (Listener.BindFailedException e) {
                    log.error("{}; the daemon runs without this listener (fix and reload)", e.getMessage());
                }
            }
        }
        if (!admin.running()) {
            try {
                admin.start();
            } catch (Listener.BindFailedException e) {
                log.error("{}; the daemon runs without its admin API", e.getMessage());
            }
        }
        try {
            handover.listen(socket, true);
        } catch (Listener.BindFailedException e) {
            log.error("{}; the next upgrade cannot take over from this daemon until it is restarted", e.getMessage());
        }
        String adminAt = startPeriodicWork();
        lifecycle.serving(); // unless the listeners moved already (then it serves since)
        log.info("Sluice started by takeover: {} on {} transport; listening on {}{}", config.summary(),
                transportName(), listeners.describe(), adminAt);
    }

    /** Control thread: every discovering pool has its first set; bind if that was what we waited for. */
    void onFirstSnapshots() {
        // Only a start that deferred binding binds here; every other start binds in bind() itself.
        if (!bindOnFirstSnapshots || lifecycle.phase() != Lifecycle.Phase.STARTING || !upstreams.discoverySynced()) {
            return;
        }
        try {
            listeners.bindAll(running.config().listeners());
            lifecycle.serving();
            daemonMetrics.trackPools();
            log.info("First discovery snapshots in; listening on {}", listeners.describe());
        } catch (Listener.BindFailedException e) {
            log.error("{}; the daemon stays up without that listener (fix and reload)", e.getMessage());
        }
    }

    /** Direct listeners: the kernel forwards them; a machine that cannot is a start error (exit 2). */
    private void startDirect(SluiceConfig config) throws Listener.BindFailedException {
        try {
            direct.start(config.direct());
        } catch (DirectPlane.StartFailed e) {
            throw new Listener.BindFailedException(e.getMessage(), e);
        }
    }

    /** Gauges and the once-a-second control task, once everything is bound; returns the admin part of the start line. */
    private String startPeriodicWork() {
        daemonMetrics.bindProcessMetrics(workers);
        plane.trackMetrics();
        control.scheduleWithFixedDelay(plane::everySecond, 1, 1, TimeUnit.SECONDS);
        control.scheduleAtFixedRate(history::sample, 0, TrafficHistory.SAMPLE_SECONDS, TimeUnit.SECONDS);
        InetSocketAddress at = admin.address();
        return at == null ? "" : "; admin API on " + BoundListeners.hostPort(at);
    }

    private String transportName() {
        return transport.operatorName();
    }
}
