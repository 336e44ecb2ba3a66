package io.sluice.direct;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.config.DirectConfig;
import io.sluice.config.DirectListenerConfig;
import io.sluice.pool.Pool;
import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane of the direct listeners: keeps Sluice's nft table and policy routes equal to what
 * the pools' snapshots say, one atomic transaction per change.
 *
 * <p>Start checks, in order, and refuses with one clear message ({@link StartFailed}): the {@code nft}
 * command exists; it may change the ruleset (CAP_NET_ADMIN); the {@code ip} command exists; the table
 * is absent or Sluice's own (its comment is {@link NftScript#OWNER_COMMENT}). A table of Sluice's that
 * is already there (a restart, or a crash) is adopted as it is: its flow maps, the established flows,
 * are kept, and only the slot maps, sets and rules are replaced.
 *
 * <p>Changes are found by looking, not by being told: every {@code pollEvery} the direct thread
 * builds the plan from the pools' current snapshots ({@link Plans}) and applies it when it differs
 * from the one applied last (health, drain, maint, weights, discovery, slow start, a passed drain
 * deadline). Reload applies at once. A failed transaction leaves the previous ruleset in place (nft
 * applies all or nothing) and is retried at the next poll; the error is logged once per distinct
 * message.
 *
 * <p>Threads: one thread of its own ({@code sluice-direct}) runs every {@code nft} and {@code ip}
 * command; other threads only hand it work and wait. Never an event loop.
 */
public final class DirectPlane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DirectPlane.class);

    /** Why direct routing cannot start; the message is what the operator needs to read. */
    public static final class StartFailed extends Exception {
        StartFailed(String message) {
            super(message);
        }
    }

    private final ScheduledExecutorService thread;
    private final SystemCommand command;
    private final PolicyRoutes routes;
    private final FlowMaps flows;
    private final Supplier<Map<String, Pool>> pools;

    private volatile DirectConfig config;
    /** Written on the direct thread, read by the metrics' readers. */
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastError;
    private final DirectMetrics metrics;
    /** Every this many polls, the kernel's counters are read into the meters. */
    private static final int POLLS_PER_METRICS_REFRESH = 10;

    // Direct thread only.
    private Set<String> present = Set.of();
    private List<Object> applied;
    private Map<String, Set<Long>> appliedLive = Map.of();
    private DirectPlan appliedPlan;
    private int polls;
    private boolean closed;

    private DirectPlane(DirectConfig config, Supplier<Map<String, Pool>> pools, List<String> commandPrefix,
                        MeterRegistry registry) {
        this.config = config;
        this.metrics = registry == null ? null : new DirectMetrics(registry, this);
        this.pools = pools;
        this.command = new SystemCommand(commandPrefix);
        this.routes = new PolicyRoutes(command);
        this.flows = new FlowMaps(command);
        this.thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("sluice-direct", true));
    }

    /**
     * Checks the machine, claims the table, applies the first plan, then follows the pools.
     *
     * @param pools    the daemon's current pools (read on the direct thread; a volatile snapshot)
     * @param registry where the kernel's counters are exported, or null
     * @throws StartFailed with the one reason it cannot; nothing was changed unless the reason is a
     *                     failed first transaction
     */
    public static DirectPlane start(DirectConfig config, Supplier<Map<String, Pool>> pools, MeterRegistry registry)
            throws StartFailed {
        return start(config, pools, registry, List.of(), Duration.ofMillis(200));
    }

    /** {@link #start(DirectConfig, Supplier, MeterRegistry)} with every command run under {@code commandPrefix}. */
    static DirectPlane start(DirectConfig config, Supplier<Map<String, Pool>> pools, MeterRegistry registry,
                             List<String> commandPrefix, Duration pollEvery) throws StartFailed {
        DirectPlane plane = new DirectPlane(config, pools, commandPrefix, registry);
        String failure = plane.onThread(() -> {
            try {
                HostChecks.tools(plane.command);
                plane.present = HostChecks.claim(plane.command, config.table());
                HostChecks.warnAboutSysctls(plane.command);
                plane.apply(true);
                return null;
            } catch (StartFailed e) {
                return e.getMessage();
            } catch (SystemCommand.Failed e) {
                return "direct routing: the first transaction failed: " + e.getMessage();
            }
        });
        if (failure != null) {
            plane.thread.shutdownNow();
            throw new StartFailed(failure);
        }
        plane.thread.scheduleWithFixedDelay(plane::poll, pollEvery.toMillis(), pollEvery.toMillis(), TimeUnit.MILLISECONDS);
        log.info("Direct routing: nft table ip {} programmed for {} listener(s) ({})", config.table(),
                config.listeners().size(), describe(config));
        return plane;
    }

    /**
     * Applies a reloaded {@code direct} section now (waits for the direct thread). A new table name
     * is claimed first (a conflict refuses the change and keeps the old table); the old table and
     * rules go once the new ones are in.
     *
     * @return problems that kept it from applying; empty when applied
     */
    public List<String> reconfigure(DirectConfig next) {
        return onThread(() -> {
            DirectConfig previous = config;
            try {
                if (!previous.table().equals(next.table())) {
                    Set<String> claimed = HostChecks.claim(command, next.table());
                    config = next;
                    present = claimed;
                    applied = null;
                } else {
                    config = next;
                }
                apply(true);
                if (!previous.table().equals(next.table())) {
                    command.run(List.of("nft", "delete", "table", "ip", previous.table()), null);
                }
                if (previous.rulePriority() != next.rulePriority()) {
                    routes.remove(previous.rulePriority(), routes.current(previous.rulePriority()));
                }
                return List.of();
            } catch (StartFailed e) {
                config = previous;
                return List.of(e.getMessage());
            } catch (SystemCommand.Failed e) {
                return List.of("direct routing: " + e.getMessage() + " (the previous ruleset stays; retried)");
            }
        });
    }

    /** Transactions applied since start. */
    public long transactions() {
        return transactions.get();
    }

    /** Transactions refused since start (each left the previous ruleset in place). */
    public long failures() {
        return failures.get();
    }

    /** The last failure, or null when the last attempt succeeded. */
    public String lastError() {
        return lastError;
    }

    /** The section in force. */
    public DirectConfig config() {
        return config;
    }

    /**
     * Stops following the pools. The table and routes stay, so the kernel keeps forwarding (as after
     * a crash), unless {@code remove-table-on-stop} (or {@code removeAnyway}: the section left the
     * config) says to delete them. Safe to call twice.
     */
    public void close(boolean removeAnyway) {
        if (thread.isShutdown()) {
            return;
        }
        onThread(() -> {
            closed = true;
            if (removeAnyway || config.removeTableOnStop()) {
                try {
                    command.run(List.of("nft", "delete", "table", "ip", config.table()), null);
                    routes.remove(config.rulePriority(), routes.current(config.rulePriority()));
                    log.info("Direct routing: nft table ip {} and its routes removed", config.table());
                } catch (SystemCommand.Failed e) {
                    log.error("Direct routing: could not remove nft table ip {}: {}", config.table(), e.getMessage());
                }
            } else {
                log.info("Direct routing: nft table ip {} left in place; the kernel keeps forwarding on it", config.table());
            }
            return null;
        });
        thread.shutdownNow();
    }

    @Override
    public void close() {
        close(false);
    }

    // ---- direct thread -----------------------------------------------------------------------

    private void poll() {
        if (closed) {
            return;
        }
        try {
            apply(false);
            if (metrics != null && appliedPlan != null && ++polls % POLLS_PER_METRICS_REFRESH == 0) {
                metrics.refresh(command, flows, appliedPlan);
            }
        } catch (SystemCommand.Failed e) {
            // logged in apply
        } catch (RuntimeException e) {
            log.error("Direct routing: update failed", e);
        }
    }

    /** Builds the plan and, if it changed (or {@code force}), applies it: routes, one nft transaction, cleanup. */
    private void apply(boolean force) throws SystemCommand.Failed {
        DirectConfig c = config;
        DirectPlan plan = Plans.of(c, pools.get(), Instant.now());
        List<Object> signature = signature(plan);
        if (!force && signature.equals(applied)) {
            return;
        }
        try {
            Map<Long, Inet4Address> wanted = new TreeMap<>();
            for (ServicePlan s : plan.services()) {
                s.backends().forEach(b -> wanted.put(b.mark(), b.address()));
            }
            Set<Long> rulesBefore = routes.current(c.rulePriority());
            routes.add(c.rulePriority(), wanted, rulesBefore);
            command.run(List.of("nft", "-f", "-"), NftScript.render(plan, present));
            present = NftScript.objects(plan);
            Set<Long> stale = new TreeSet<>(rulesBefore);
            stale.removeAll(wanted.keySet());
            routes.remove(c.rulePriority(), stale);
            transactions.incrementAndGet();
            applied = signature;
            appliedPlan = plan;
            if (lastError != null) {
                log.info("Direct routing: transactions apply again");
            }
            lastError = null;
            for (ServicePlan s : plan.services()) {
                log.info("Direct routing: {} table fingerprint {}, slots {}", s.listener().name(),
                        Long.toHexString(s.fingerprint()), String.join(", ", NftScript.describe(s)));
            }
            purgeReleased(plan);
        } catch (SystemCommand.Failed e) {
            if (!e.getMessage().equals(lastError)) {
                log.error("Direct routing: transaction failed, the previous ruleset stays (retrying): {}", e.getMessage());
            }
            lastError = e.getMessage();
            failures.incrementAndGet();
            throw e;
        }
    }

    /** Removes the flow entries of backends whose flows were released since the last transaction. */
    private void purgeReleased(DirectPlan plan) {
        Map<String, Set<Long>> live = new HashMap<>();
        for (ServicePlan s : plan.services()) {
            String map = NftScript.flowMapName(s.listener());
            Set<Long> now = new HashSet<>();
            s.backends().stream().filter(DirectBackend::live).forEach(b -> now.add(b.mark()));
            live.put(map, now);
            Set<Long> released = new HashSet<>(appliedLive.getOrDefault(map, Set.of()));
            released.removeAll(now);
            if (!released.isEmpty()) {
                try {
                    int n = flows.purge(plan.table(), map, released);
                    log.info("Direct routing: {}: {} flow(s) of released backends removed", s.listener().name(), n);
                } catch (SystemCommand.Failed e) {
                    log.warn("Direct routing: {}: could not remove released flows (they follow the hash anyway): {}",
                            s.listener().name(), e.getMessage());
                }
            }
        }
        appliedLive = live;
    }

    /** What decides the ruleset: the listeners, each table's fingerprint and size, each backend's mark and liveness. */
    private static List<Object> signature(DirectPlan plan) {
        List<Object> sig = new ArrayList<>();
        sig.add(plan.table());
        sig.add(plan.hashSeed());
        for (ServicePlan s : plan.services()) {
            sig.add(s.listener());
            sig.add(s.fingerprint());
            sig.add(s.slotMarks().length);
            sig.add(s.backends());
        }
        return sig;
    }

    private static String describe(DirectConfig c) {
        List<String> parts = new ArrayList<>();
        for (DirectListenerConfig l : c.listeners()) {
            parts.add(l.name() + " " + l.vip().getHostAddress() + " " + l.protocol().yamlName() + " " + l.ports()
                    + " -> pool " + l.pool());
        }
        return String.join("; ", parts);
    }

    /** Runs {@code task} on the direct thread and waits for it. */
    private <T> T onThread(Callable<T> task) {
        try {
            return thread.submit(task).get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("direct routing: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the direct thread did not answer in 120 s", e);
        }
    }
}
