package io.sluice.daemon;

import io.sluice.config.ConfigLoader;
import io.sluice.config.ListenerConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.direct.DirectRouting;
import io.sluice.metrics.DaemonMetrics;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.state.OverrideStore;
import io.sluice.upstream.Upstreams;
import io.sluice.yaml.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control plane: the running configuration ({@link RunningConfig}), the operators'
 * backend decisions with their store ({@link BackendControl}, {@link OverrideStore}), and reload,
 * which swaps configuration, upstreams and listeners without dropping a connection.
 *
 * <p>Thread ownership: changes run on the control thread ({@link #onControl} hands them there and
 * waits); what they change is published as snapshots read from any thread.
 */
final class ControlPlane {

    private static final Logger log = LoggerFactory.getLogger(SluiceDaemon.class);

    private final ScheduledExecutorService control;
    private final RunningConfig running;
    private final Upstreams upstreams;
    private final OverrideStore overrides;
    private final BackendControl backends;
    private final BoundListeners listeners;
    private final ConnectionTracker tracker;
    private final DaemonMetrics daemonMetrics;
    private final Lifecycle lifecycle;
    private final DirectRouting direct;

    ControlPlane(ScheduledExecutorService control, RunningConfig running, Upstreams upstreams, OverrideStore overrides,
                 BackendControl backends, BoundListeners listeners, ConnectionTracker tracker, DaemonMetrics daemonMetrics,
                 Lifecycle lifecycle, DirectRouting direct) {
        this.control = control;
        this.running = running;
        this.upstreams = upstreams;
        this.overrides = overrides;
        this.backends = backends;
        this.listeners = listeners;
        this.tracker = tracker;
        this.daemonMetrics = daemonMetrics;
        this.lifecycle = lifecycle;
        this.direct = direct;
    }

    /** The running configuration. Any thread. */
    SluiceConfig config() {
        return running.config();
    }

    BackendControl backends() {
        return backends;
    }

    OverrideStore overrides() {
        return overrides;
    }

    /** Control thread, waited for: the pools and health checkers of the running config, with the stored overrides. */
    void buildUpstreams() {
        onControl(() -> {
            upstreams.apply(running.config().pools(), backends::applyOverrides);
            return null;
        });
    }

    /**
     * Re-reads the config file this daemon was started with and applies it (also on SIGHUP).
     *
     * @param handoverState the handover's state now ("idle" when none runs)
     * @throws ConfigException with every error when the new file is invalid; the running config stays
     */
    ReloadOutcome reloadFromFile(String handoverState) throws ConfigException {
        Lifecycle.Phase phase = lifecycle.phase();
        if (phase == Lifecycle.Phase.HANDED_OVER || !"idle".equals(handoverState)) {
            // Listeners bound now would never be offered to the new process, and die with this one.
            log.error("Reload refused: a handover is in progress or done (reload the new daemon once it serves)");
            return new ReloadOutcome(config(), List.of("a handover is in progress or done; nothing was reloaded"
                    + " (reload the new daemon once it serves)"));
        }
        if (phase.compareTo(Lifecycle.Phase.DRAINING) >= 0) {
            log.error("Reload refused: the daemon is stopping");
            return new ReloadOutcome(config(), List.of("the daemon is stopping; nothing was reloaded"));
        }
        SluiceConfig next = ConfigLoader.load(Path.of(config().source()));
        return new ReloadOutcome(next, reload(next));
    }

    /** A reload that was applied, with what could not be (a listener that failed to bind), if anything. */
    record ReloadOutcome(SluiceConfig config, List<String> problems) {}

    /**
     * Applies {@code next} without dropping a connection: pools and backends change in place (a
     * removed backend's or pool's connections run on until they end), listeners that did not change
     * keep their socket, changed ones are bound anew (SO_REUSEPORT lets the same port overlap) before
     * the old socket closes, removed ones stop accepting. Admin API and state store changes need a
     * restart (logged).
     *
     * @return problems that kept part of it from applying (a listener that could not bind); empty when all applied
     */
    List<String> reload(SluiceConfig next) {
        SluiceConfig previous = config();
        List<String> problems = new ArrayList<>();
        onControl(() -> {
            running.swap(next);
            upstreams.apply(next.pools(), backends::applyOverrides);
            return null;
        });
        List<String> changes = new ArrayList<>();
        listeners.apply(next.listeners(), changes, problems);
        problems.addAll(direct.reload(next.direct())); // one nft transaction, on the direct thread
        if (!Objects.equals(previous.admin(), next.admin()) || !previous.state().equals(next.state())) {
            log.warn("reload: admin or state settings changed; they take effect at the next restart");
        }
        trackMetrics();
        log.info("Reloaded {}: {}{}", next.source(), next.summary(), changes.isEmpty() ? "" : "; " + String.join("; ", changes));
        return problems;
    }

    /** Gauges of the pools and listeners the running config has. */
    void trackMetrics() {
        daemonMetrics.trackPools();
        daemonMetrics.trackListeners(config().listeners().stream().map(ListenerConfig::name).toList(), tracker);
    }

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

    /** Control thread, once a second: upstream upkeep. */
    void everySecond() {
        try {
            upstreams.tick();
        } catch (RuntimeException e) {
            log.error("periodic control task failed", e);
        }
    }
}
