package io.sluice.discovery.consul;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.Discovery;
import io.sluice.discovery.DiscoveryListener;
import io.sluice.registry.Backoff;
import io.sluice.registry.consul.BlockingWatch;
import io.sluice.registry.consul.ConsulClient;
import io.sluice.registry.consul.HealthResponse;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one Consul service for one pool with blocking queries on
 * {@code /v1/health/service/<name>?index=&wait=} (Consul's documented long poll, {@code X-Consul-Index}).
 *
 * <p>Threads: a watch thread {@code sluice-consul-<pool>} runs the long poll; a notifier thread
 * {@code sluice-consul-<pool>-notify} calls the listener, so the listener sees one thread, in order,
 * and never the caller of {@link #start}. Changes within {@value #DEFAULT_COALESCE_MILLIS} ms of each
 * other are coalesced into one snapshot, and a snapshot equal to the last one is not repeated.
 *
 * <p>Mapping (see {@code HealthEntries}): name = Service.ID; address = Service.Address, else
 * Node.Address; weight = Weights.Passing (Weights.Warning while warning), else the {@code sluice-weight}
 * meta key, else 100, clamped to 0..1000; status = MAINTENANCE if a {@code _service_maintenance:<id>}
 * or {@code _node_maintenance} check is present, else CRITICAL if any check is critical, else WARNING
 * if any is warning, else PASSING.
 *
 * <p>{@code passingOnly} asks Consul for {@code ?passing}: only instances whose every check passes.
 * Then a warning, critical or maintenance instance is simply absent from the snapshot, and the daemon
 * drains it as a removed backend; WARNING weights and the MAINTENANCE status are only seen with
 * {@code passingOnly = false}.
 *
 * <p>Failures: the first failed query reports {@code connectivity(false, reason)} and logs once; the
 * watch retries with capped exponential backoff (200 ms .. 10 s, jittered) and reports
 * {@code connectivity(true)} on the first success, then the current set. The last set is kept
 * meanwhile (no empty snapshot is sent for an unreachable registry). An entry that cannot be read is
 * left out and logged (WARN when the number of such entries changes); the rest of the pool is kept.
 *
 * <p>The HTTP calls and the long-poll loop are lb-registry's {@link ConsulClient} and
 * {@link BlockingWatch}, the same ones the override store and the agent use.
 */
public final class ConsulDiscovery implements Discovery {

    static final long DEFAULT_COALESCE_MILLIS = 100;
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(55);
    /** Connecting, and each non-blocking query. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ConsulDiscovery.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final String pool;
    private final URI consulAddress;
    private final String aclToken;
    private final String datacenter;
    private final String service;
    private final List<String> tags;
    private final boolean passingOnly;
    private final Duration wait;
    private final long coalesceMillis;
    private final Backoff backoff;

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AtomicReference<List<DiscoveredBackend>> pending = new AtomicReference<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    private volatile BlockingWatch<HealthResponse> watch;
    private volatile ScheduledExecutorService notifier;
    private volatile DiscoveryListener listener;
    /** Only touched on the notifier thread. */
    private List<DiscoveredBackend> lastEmitted;
    /** Only touched on the watch thread. */
    private int lastSkipped;

    /**
     * @param pool           the pool these backends belong to (passed back to the listener)
     * @param consulAddress  the agent's HTTP address, e.g. {@code http://127.0.0.1:8500}
     * @param aclTokenOrNull sent as {@code X-Consul-Token}; null for none
     * @param datacenterOrNull {@code ?dc=}; null for the agent's own
     * @param service        the Consul service name
     * @param tags           every tag an instance must carry (Consul's repeatable {@code ?tag=}); may be empty
     * @param passingOnly    {@code ?passing}: see the class comment for what that hides
     */
    public ConsulDiscovery(String pool, URI consulAddress, String aclTokenOrNull, String datacenterOrNull,
                           String service, List<String> tags, boolean passingOnly) {
        this(pool, consulAddress, aclTokenOrNull, datacenterOrNull, service, tags, passingOnly, DEFAULT_WAIT,
                DEFAULT_COALESCE_MILLIS, Backoff.standard());
    }

    ConsulDiscovery(String pool, URI consulAddress, String aclTokenOrNull, String datacenterOrNull, String service,
                    List<String> tags, boolean passingOnly, Duration wait, long coalesceMillis, Backoff backoff) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.consulAddress = Objects.requireNonNull(consulAddress, "consulAddress");
        this.aclToken = aclTokenOrNull == null || aclTokenOrNull.isEmpty() ? null : aclTokenOrNull;
        this.datacenter = datacenterOrNull == null || datacenterOrNull.isEmpty() ? null : datacenterOrNull;
        this.service = Objects.requireNonNull(service, "service");
        this.tags = List.copyOf(tags);
        this.passingOnly = passingOnly;
        this.wait = wait;
        this.coalesceMillis = coalesceMillis;
        this.backoff = backoff;
    }

    /** Starts the watch thread and returns at once; the first snapshot follows from the notifier thread. */
    @Override
    public void start(DiscoveryListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("Consul discovery for pool " + pool + " already started or closed");
        }
        this.listener = listener;
        ConsulClient consul = ConsulClient.create(consulAddress, aclToken, datacenter, REQUEST_TIMEOUT);
        notifier = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("sluice-consul-" + pool + "-notify", true));
        BlockingWatch<HealthResponse> w = new BlockingWatch<>("sluice-consul-" + pool,
                index -> consul.healthService(service, tags, passingOnly, index, wait),
                new BlockingWatch.Listener<>() {
                    @Override
                    public void answer(HealthResponse response) {
                        onAnswer(response);
                    }

                    @Override
                    public void reachability(boolean reachable, String reason) {
                        onReachability(reachable, reason);
                    }
                }, backoff);
        watch = w;
        w.start(0);
    }

    /** Stops both threads and cancels the in-flight query; safe twice, and before {@link #start}. */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous != State.STARTED) {
            return;
        }
        watch.close();
        notifier.shutdownNow();
    }

    // ---- watch thread ----

    private void onAnswer(HealthResponse response) {
        if (state.get() != State.STARTED) {
            return;
        }
        int skipped = response.skipped().size();
        if (skipped != lastSkipped) {
            log.warn("Consul discovery for pool {}: {} entr{} of service {} left out: {}", pool, skipped,
                    skipped == 1 ? "y" : "ies", service, response.skipped());
            lastSkipped = skipped;
        } else if (skipped > 0) {
            log.debug("Consul discovery for pool {}: left out {}", pool, response.skipped());
        }
        publish(HealthEntries.map(response.entries()));
    }

    private void onReachability(boolean reachable, String reason) {
        if (state.get() != State.STARTED) {
            return;
        }
        if (reachable) {
            log.info("Consul discovery for pool {}: {} reachable again", pool, consulAddress);
        } else {
            log.warn("Consul discovery for pool {}: {} unreachable ({}); keeping the last set, retrying",
                    pool, consulAddress, reason);
        }
        notify(l -> l.connectivity(pool, reachable, reachable ? "reachable" : reason));
    }

    /** Keeps only the newest set; one flush per coalescing window sends it if it differs from the last. */
    private void publish(List<DiscoveredBackend> backends) {
        pending.set(backends);
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                notifier.schedule(this::flush, coalesceMillis, TimeUnit.MILLISECONDS);
            } catch (RuntimeException rejectedAfterClose) {
                flushScheduled.set(false);
            }
        }
    }

    private void flush() {
        flushScheduled.set(false);
        List<DiscoveredBackend> backends = pending.getAndSet(null);
        if (backends == null || backends.equals(lastEmitted) || state.get() != State.STARTED) {
            return;
        }
        lastEmitted = backends;
        callListener(l -> l.snapshot(pool, backends));
    }

    private void notify(Consumer<DiscoveryListener> call) {
        try {
            notifier.execute(() -> {
                if (state.get() == State.STARTED) {
                    callListener(call);
                }
            });
        } catch (RuntimeException rejectedAfterClose) {
            // closing: nobody is listening any more
        }
    }

    private void callListener(Consumer<DiscoveryListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            log.error("Consul discovery for pool {}: the listener failed", pool, e);
        }
    }

    @Override
    public String toString() {
        return "ConsulDiscovery[pool=" + pool + ", service=" + service + ", " + consulAddress + "]";
    }
}
