package io.sluice.agent;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.agent.config.ServiceConfig;
import io.sluice.agent.probe.AppProbe;
import io.sluice.agent.registrar.Registrar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code sluice-agent run} does: registers every service, then every check interval probes the
 * local app and reports to the registry (which also heals a registry that lost the instance), and on
 * {@link #shutdown} drains before deregistering.
 *
 * <p>Lifecycle LATENT → STARTED → STOPPING → CLOSED by compare-and-set. All registry calls run on
 * one scheduler thread, {@code sluice-agent}, except the shutdown sequence, which runs on the caller's
 * thread and first takes the same lock the reports do.
 */
public final class Agent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private enum State { LATENT, STARTED, STOPPING, CLOSED }

    /** One service: its registrar, its probe, and whether the registry has it. Guarded by the agent. */
    private static final class Entry {
        final ServiceConfig service;
        final Registrar registrar;
        final AppProbe probe;
        boolean registered;
        String lastError;

        Entry(ServiceConfig service, Registrar registrar) {
            this.service = service;
            this.registrar = registrar;
            this.probe = new AppProbe(service.check());
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ScheduledExecutorService scheduler;
    private final Sleeper sleeper;

    /** How the shutdown waits; tests pass one that does not sleep for real. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /**
     * @param registrars one per service, in the same order; the agent owns and closes them
     */
    public Agent(List<ServiceConfig> services, List<Registrar> registrars, Sleeper sleeper) {
        if (services.size() != registrars.size()) {
            throw new IllegalArgumentException("one registrar per service");
        }
        for (int i = 0; i < services.size(); i++) {
            entries.add(new Entry(services.get(i), registrars.get(i)));
        }
        this.sleeper = sleeper;
        ScheduledThreadPoolExecutor s =
                new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("sluice-agent", true));
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = s;
    }

    /** Registers and starts probing; a registry that is down now is retried every interval. */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("agent already started");
        }
        for (Entry e : entries) {
            long every = e.service.check().interval().toMillis();
            scheduler.scheduleWithFixedDelay(() -> tick(e), 0, every, TimeUnit.MILLISECONDS);
        }
    }

    /** One interval of one service: register if needed, probe, report. Never throws (it would stop the schedule). */
    private void tick(Entry e) {
        synchronized (this) {
            if (state.get() == State.CLOSED) {
                return;
            }
            try {
                if (!e.registered) {
                    if (state.get() != State.STARTED) {
                        return; // never register during shutdown
                    }
                    e.registrar.register();
                    e.registered = true;
                }
                e.registrar.report(e.probe.probe());
                ok(e);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            } catch (Exception ex) {
                String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
                if (!msg.equals(e.lastError)) {
                    log.warn("{}: {} (retrying every {} ms)", e.service.id(), msg,
                            e.service.check().interval().toMillis());
                    e.lastError = msg;
                }
            }
        }
    }

    private static void ok(Entry e) {
        if (e.lastError != null) {
            log.info("{}: registry reachable again", e.service.id());
            e.lastError = null;
        }
    }

    /** Whether every service has been registered (at least once). */
    public synchronized boolean registered() {
        return entries.stream().allMatch(e -> e.registered);
    }

    /**
     * The shutdown sequence: maintenance on for every service (the daemon stops sending new
     * connections, keeps the existing ones), wait each service's {@code drain-on-shutdown} while still
     * reporting probes (so a Consul TTL check does not expire and turn a drain into "critical"), then
     * deregister and close. Safe twice; the second call returns at once.
     */
    public void shutdown() throws InterruptedException {
        if (!state.compareAndSet(State.STARTED, State.STOPPING)) {
            close();
            return;
        }
        synchronized (this) {
            for (Entry e : entries) {
                try {
                    e.registrar.maintenance(true, "sluice-agent: shutting down");
                } catch (Exception ex) {
                    log.warn("{}: could not enter maintenance: {}", e.service.id(), ex.getMessage());
                }
            }
        }
        List<Entry> byDrain = new ArrayList<>(entries);
        byDrain.sort(Comparator.comparing(e -> e.service.drainOnShutdown()));
        Duration waited = Duration.ZERO;
        for (Entry e : byDrain) {
            Duration left = e.service.drainOnShutdown().minus(waited);
            if (!left.isNegative() && !left.isZero()) {
                log.info("draining {} for {} s before deregistering", e.service.id(), left.toSeconds());
                sleeper.sleep(left);
                waited = e.service.drainOnShutdown();
            }
            synchronized (this) {
                try {
                    e.registrar.deregister();
                } catch (Exception ex) {
                    log.warn("{}: could not deregister: {}", e.service.id(), ex.getMessage());
                }
                e.registered = false;
            }
        }
        close();
    }

    /** Stops probing and closes the registrars, without deregistering (ZooKeeper's node goes with the session). */
    @Override
    public void close() {
        State before = state.getAndSet(State.CLOSED);
        if (before == State.CLOSED) {
            return;
        }
        scheduler.shutdownNow();
        synchronized (this) {
            for (Entry e : entries) {
                e.registrar.close();
            }
        }
    }
}
