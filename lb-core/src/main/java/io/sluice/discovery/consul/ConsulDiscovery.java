package io.sluice.discovery.consul;

import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.Discovery;
import io.sluice.discovery.DiscoveryListener;
import java.math.BigInteger;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.HealthClient;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.kiwiproject.consul.option.ImmutableQueryOptions;
import org.kiwiproject.consul.option.QueryOptions;
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
 * meanwhile (no empty snapshot is sent for an unreachable registry).
 *
 * <p>Why a loop over {@link HealthClient} rather than consul-client's {@code ServiceHealthCache}: the
 * cache retries after a random delay between a fixed min and max (not capped exponential), logs every
 * failed refresh, delays on empty results, and hands out a map keyed by host and port; the seam wants
 * whole sets, one report per state change and an empty set when the service is empty.
 */
public final class ConsulDiscovery implements Discovery {

    static final long DEFAULT_COALESCE_MILLIS = 100;
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(55);
    static final long BACKOFF_INITIAL_MILLIS = 200;
    static final long BACKOFF_MAX_MILLIS = 10_000;

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

    private volatile Consul consul;
    private volatile Thread watcher;
    private volatile ScheduledExecutorService notifier;
    private volatile DiscoveryListener listener;
    /** Only touched on the notifier thread. */
    private List<DiscoveredBackend> lastEmitted;

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
                DEFAULT_COALESCE_MILLIS,
                new Backoff(BACKOFF_INITIAL_MILLIS, BACKOFF_MAX_MILLIS, () -> ThreadLocalRandom.current().nextDouble()));
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
        Consul.Builder builder = Consul.builder()
                .withUrl(url())
                .withPing(false) // never touch the network on the caller's thread
                .withConnectTimeoutMillis(2_000)
                // Consul may hold a blocking query up to wait + wait/16 (documented jitter).
                .withReadTimeoutMillis(wait.toMillis() + wait.toMillis() / 16 + 5_000);
        if (aclToken != null) {
            builder.withAclToken(aclToken);
        }
        consul = builder.build();
        notifier = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "sluice-consul-" + pool + "-notify"));
        Thread t = daemonThread(this::watch, "sluice-consul-" + pool);
        watcher = t;
        t.start();
    }

    /** Stops both threads and cancels the in-flight query; safe twice, and before {@link #start}. */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous != State.STARTED) {
            return;
        }
        consul.destroy(); // cancels the blocked call (OkHttp Dispatcher.cancelAll)
        Thread t = watcher;
        t.interrupt();
        notifier.shutdownNow();
        if (Thread.currentThread() != t) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void watch() {
        HealthClient health = consul.healthClient();
        BigInteger index = BigInteger.ZERO;
        boolean healthy = true; // as the listener last heard it
        while (state.get() == State.STARTED) {
            ConsulResponse<List<ServiceHealth>> response;
            try {
                QueryOptions options = options(index);
                response = passingOnly
                        ? health.getHealthyServiceInstances(service, options)
                        : health.getAllServiceInstances(service, options);
            } catch (RuntimeException e) {
                if (state.get() != State.STARTED) {
                    return;
                }
                index = BigInteger.ZERO; // the registry may have restarted with a lower index
                if (healthy) {
                    healthy = false;
                    String reason = reason(e);
                    log.warn("Consul discovery for pool {}: {} unreachable ({}); keeping the last set, retrying",
                            pool, consulAddress, reason);
                    notify(l -> l.connectivity(pool, false, reason));
                }
                if (!sleep(backoff.nextDelayMillis())) {
                    return;
                }
                continue;
            }
            if (state.get() != State.STARTED) {
                return;
            }
            backoff.reset();
            if (!healthy) {
                healthy = true;
                log.info("Consul discovery for pool {}: {} reachable again", pool, consulAddress);
                notify(l -> l.connectivity(pool, true, "reachable"));
            }
            index = nextIndex(index, response.getIndex());
            publish(HealthEntries.map(response.getResponse()));
        }
    }

    /** Consul's rules for a blocking-query client: reset when the index goes backwards or is not positive. */
    static BigInteger nextIndex(BigInteger previous, BigInteger returned) {
        if (returned == null || returned.signum() <= 0) {
            return BigInteger.ONE;
        }
        return returned.compareTo(previous) < 0 ? BigInteger.ZERO : returned;
    }

    private QueryOptions options(BigInteger index) {
        ImmutableQueryOptions.Builder options = ImmutableQueryOptions.builder()
                .wait(wait.toSeconds() + "s")
                .index(index)
                .tag(tags);
        if (datacenter != null) {
            options.datacenter(datacenter);
        }
        return options.build();
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

    private void notify(java.util.function.Consumer<DiscoveryListener> call) {
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

    private void callListener(java.util.function.Consumer<DiscoveryListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            log.error("Consul discovery for pool {}: the listener failed", pool, e);
        }
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return state.get() == State.STARTED;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private java.net.URL url() {
        try {
            return consulAddress.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Consul address " + consulAddress + " is not an http(s) URL", e);
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public String toString() {
        return "ConsulDiscovery[pool=" + pool + ", service=" + service + ", " + consulAddress + "]";
    }
}
