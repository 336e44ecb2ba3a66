package io.sluice.discovery.zookeeper;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.Discovery;
import io.sluice.discovery.DiscoveryListener;
import io.sluice.registration.InstanceCodec;
import io.sluice.registration.InstancePayload;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import io.sluice.registry.zookeeper.ZooKeeperClient;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.CloseableUtils;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.ServiceCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one service registered with Curator's service discovery recipe under {@code basePath}
 * ({@code basePath/service/instanceId}, ephemeral nodes) and reports its instances as one pool.
 *
 * <p>Threads: {@link #start} only builds and starts the Curator client, which connects in the
 * background (capped exponential backoff with jitter). Everything after that runs on one thread of
 * this source, {@code sluice-zk-<pool>}, so the listener sees events in order and never from two
 * threads at once. The service cache is started once the client first connects; the first
 * {@link DiscoveryListener#snapshot} follows when the cache has loaded.
 *
 * <p>Connectivity: SUSPENDED or LOST reports {@code connectivity(false)} once, and no snapshot is
 * sent until the connection is back, so the daemon keeps routing on the last set; RECONNECTED (or a
 * new session after LOST) reports {@code connectivity(true)} and a fresh snapshot. Instances whose
 * own sessions end do vanish (their nodes are ephemeral), and that is reported as a removal.
 *
 * <p>Addresses must be IP literals; see {@link InstanceMapper}.
 */
public final class ZooKeeperDiscovery implements Discovery {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperDiscovery.class);

    static final int SESSION_TIMEOUT_MS = ZooKeeperClient.SESSION_TIMEOUT_MS;
    static final int CONNECTION_TIMEOUT_MS = 10_000;
    private static final long LOAD_POLL_MS = 20;

    private enum State { LATENT, STARTED, CLOSED }

    private final String pool;
    private final String connectString;
    private final String basePath;
    private final String service;
    private final int sessionTimeoutMs;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ScheduledExecutorService events;
    /** Never used by Curator 5 (its CuratorCache ignores it, with a warning), but ServiceCache wants one. */
    private final ExecutorService cacheThreads;

    private volatile DiscoveryListener listener;
    private volatile ZooKeeperClient client;
    private volatile ServiceDiscovery<InstancePayload> discovery;
    private volatile ServiceCache<InstancePayload> cache;

    // Only touched on the events thread.
    private Boolean healthy;
    private boolean loaded;
    private boolean discoveryStarted;
    private List<DiscoveredBackend> lastPublished;
    private final Set<String> reportedProblems = new HashSet<>();

    /**
     * @param pool          the pool name passed back to the listener
     * @param connectString ZooKeeper's {@code host:port[,host:port...][/chroot]}
     * @param basePath      the discovery recipe's base path, e.g. {@code /sluice}
     * @param service       the service name whose instances form the pool
     */
    public ZooKeeperDiscovery(String pool, String connectString, String basePath, String service) {
        this(pool, connectString, basePath, service, SESSION_TIMEOUT_MS);
    }

    ZooKeeperDiscovery(String pool, String connectString, String basePath, String service, int sessionTimeoutMs) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.connectString = Objects.requireNonNull(connectString, "connectString");
        this.basePath = Objects.requireNonNull(basePath, "basePath");
        this.service = Objects.requireNonNull(service, "service");
        this.sessionTimeoutMs = sessionTimeoutMs;
        ScheduledThreadPoolExecutor eventThread = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("sluice-zk-" + pool, true));
        eventThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // pending timers die with close()
        this.events = eventThread;
        this.cacheThreads = Executors.newSingleThreadExecutor(new DefaultThreadFactory("sluice-zk-cache-" + pool, true));
    }

    @Override
    public void start(DiscoveryListener discoveryListener) {
        Objects.requireNonNull(discoveryListener, "listener");
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("ZooKeeper discovery of pool " + pool + " was already started");
        }
        listener = discoveryListener;
        ZooKeeperClient c = ZooKeeperClient.build(connectString, "sluice-zk-curator-" + pool,
                ZooKeeperClient.Retry.PATIENT, sessionTimeoutMs, CONNECTION_TIMEOUT_MS);
        c.curator().getConnectionStateListenable().addListener((cl, newState) -> onConnectionState(newState), events);
        discovery = ServiceDiscoveryBuilder.builder(InstancePayload.class)
                .client(c.curator())
                .basePath(basePath)
                .serializer(new InstanceCodec())
                .build();
        client = c;
        c.start(); // returns at once; the connection is made in the background
        events.schedule(this::reportIfNeverConnected, CONNECTION_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        log.info("pool {}: watching ZooKeeper service {} under {} at {}", pool, service, basePath, connectString);
    }

    private void onConnectionState(ConnectionState newState) {
        if (state.get() != State.STARTED) {
            return;
        }
        switch (newState) {
            case CONNECTED, RECONNECTED -> {
                changeConnectivity(true, "connected to ZooKeeper at " + connectString);
                if (cache == null) {
                    startCache();
                }
                if (newState == ConnectionState.RECONNECTED) {
                    publish(true);
                }
            }
            case SUSPENDED -> changeConnectivity(false, "connection to ZooKeeper at " + connectString
                    + " suspended; keeping the last " + describeLast());
            case LOST -> changeConnectivity(false, "ZooKeeper session at " + connectString
                    + " lost; keeping the last " + describeLast());
            case READ_ONLY -> { } // only with canBeReadOnly, which we do not ask for
        }
    }

    private void reportIfNeverConnected() {
        if (state.get() == State.STARTED && healthy == null) {
            changeConnectivity(false, "no connection to ZooKeeper at " + connectString + " after "
                    + CONNECTION_TIMEOUT_MS + " ms; still trying");
        }
    }

    private String describeLast() {
        return lastPublished == null ? "set (none yet)" : lastPublished.size() + " instance(s)";
    }

    private void changeConnectivity(boolean nowHealthy, String detail) {
        if (healthy != null && healthy == nowHealthy) {
            return;
        }
        healthy = nowHealthy;
        if (nowHealthy) {
            log.info("pool {}: {}", pool, detail);
        } else {
            log.warn("pool {}: {}", pool, detail);
        }
        try {
            listener.connectivity(pool, nowHealthy, detail);
        } catch (RuntimeException e) {
            log.error("pool {}: discovery listener failed on connectivity", pool, e);
        }
    }

    /** Starts the service cache; runs on the events thread once connected, so its container check is quick. */
    private void startCache() {
        ServiceCache<InstancePayload> c = null;
        try {
            if (!discoveryStarted) {
                discovery.start(); // nothing registered here, so this does not touch ZooKeeper
                discoveryStarted = true;
            }
            c = discovery.serviceCacheBuilder().name(service).executorService(cacheThreads).build();
            c.addListener(new ServiceCacheListener() {
                @Override
                public void cacheChanged() {
                    publish(false);
                }

                @Override
                public void stateChanged(CuratorFramework cl, ConnectionState newState) {
                    // handled by our own client listener
                }
            }, events);
            CountDownLatch initialLoad = c.startImmediate();
            cache = c;
            awaitLoad(initialLoad);
        } catch (Exception e) {
            log.warn("pool {}: could not start the ZooKeeper cache of {}; retrying on the next connection",
                    pool, service, e);
            if (c != null) {
                CloseableUtils.closeQuietly(c);
            }
            cache = null;
        }
    }

    /** Polls (never waits) on the events thread until the cache's first load is done, then publishes. */
    private void awaitLoad(CountDownLatch initialLoad) {
        if (state.get() != State.STARTED) {
            return;
        }
        if (initialLoad.getCount() == 0) {
            loaded = true;
            publish(true);
        } else {
            events.schedule(() -> awaitLoad(initialLoad), LOAD_POLL_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Sends the cache's set. Skipped before the first load and while the connection is down (the
     * daemon keeps the last set); {@code force} sends it even when it equals the last one.
     */
    private void publish(boolean force) {
        ServiceCache<InstancePayload> c = cache;
        if (state.get() != State.STARTED || !loaded || c == null || !Boolean.TRUE.equals(healthy)) {
            return;
        }
        List<DiscoveredBackend> backends = new ArrayList<>();
        Set<String> problems = new HashSet<>();
        for (ServiceInstance<InstancePayload> instance : c.getInstances()) {
            String problem = InstanceMapper.problem(instance);
            if (problem == null) {
                backends.add(InstanceMapper.toBackend(instance));
                continue;
            }
            String key = instance.getId() + ": " + problem;
            problems.add(key);
            if (!reportedProblems.contains(key)) {
                log.warn("pool {}: skipping ZooKeeper instance {}", pool, key);
            }
        }
        reportedProblems.retainAll(problems);
        reportedProblems.addAll(problems);
        backends.sort(Comparator.comparing(DiscoveredBackend::name));
        List<DiscoveredBackend> set = List.copyOf(backends);
        if (!force && set.equals(lastPublished)) {
            return;
        }
        lastPublished = set;
        try {
            listener.snapshot(pool, set);
        } catch (RuntimeException e) {
            log.error("pool {}: discovery listener failed on snapshot", pool, e);
        }
    }

    /** Closes the cache, the discovery and the client, then this source's threads. Safe twice. */
    @Override
    public void close() {
        State before = state.getAndSet(State.CLOSED);
        if (before == State.CLOSED) {
            return;
        }
        // On the events thread, so no callback runs half-way through; Curator still posts listener
        // removals to it while closing, so it shuts down only after that (late callbacks see CLOSED).
        events.execute(() -> {
            closeCurator();
            events.shutdown();
        });
        try {
            if (!events.awaitTermination(5, TimeUnit.SECONDS)) {
                closeCurator(); // the events thread is stuck (e.g. in a ZooKeeper call): close from here
                events.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeCurator();
            events.shutdownNow();
        }
        cacheThreads.shutdownNow();
        if (before == State.STARTED) {
            log.info("pool {}: stopped watching ZooKeeper service {}", pool, service);
        }
    }

    private synchronized void closeCurator() {
        ServiceCache<InstancePayload> c = cache;
        cache = null;
        ServiceDiscovery<InstancePayload> d = discovery;
        discovery = null;
        ZooKeeperClient cl = client;
        client = null;
        closeLogged(c, "service cache");
        closeLogged(d, "service discovery");
        closeLogged(cl, "client");
    }

    /** Curator's close methods also throw unchecked exceptions (e.g. a cache closed twice): never let one skip the rest. */
    private void closeLogged(AutoCloseable closeable, String what) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("pool {}: closing the ZooKeeper {} failed", pool, what, e);
        }
    }
}
