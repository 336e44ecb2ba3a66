package io.sluice.state;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import io.sluice.registry.zookeeper.ZooKeeperClient;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin overrides shared by every Sluice node through ZooKeeper ({@code state.store: zookeeper}).
 *
 * <p>Layout: {@code <basePath>/overrides/<key>}, one persistent znode per backend, where
 * {@code <key>} is the URL-encoded {@code "pool/backend"} (so {@code chat%2Fapp-1}); its data is the
 * same JSON object as an entry of the local state file:
 * <pre>{"admin":"drain","weight":50,"drain_deadline":"2024-01-01T00:00:00Z","close_rate":100.0}</pre>
 *
 * <p>A key's version is its node's {@code mzxid} (absent: 0). Writes are versioned and made by
 * {@link SharedOverrideStore}'s writer thread: the change is written only if the node's {@code mzxid}
 * is still the one the change was made on, with {@code setData().withVersion(v)} / {@code create} /
 * {@code delete().withVersion(v)}; otherwise another node's write stands (the rule in
 * {@link SharedOverrideStore}). Removing an override deletes the node.
 *
 * <p>Reads ({@link #get}, {@link #all}) come from a local view kept current by a
 * {@link CuratorCache}; {@link #open} returns only after the cache's initial load, so a restarting
 * node has every override before it accepts connections. A successful {@link #put} also updates
 * the view at once (the cache's echo follows). Listeners run on this store's single event thread
 * ({@code sluice-zk-overrides-events}), in ZooKeeper's order, for changes by any writer including
 * this node. While the connection is down the last view is kept, changes are queued, and each state
 * change of the connection is logged once (and moves {@link StoreStatus#reachable}).
 */
public final class ZooKeeperOverrideStore extends SharedOverrideStore {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperOverrideStore.class);

    static final int CONNECTION_TIMEOUT_MS = 5_000;
    /** Versioned-write attempts per put before giving up (each failure means another writer succeeded). */

    private final String connectString;
    private final String overridesPath;
    private final ZooKeeperClient zooKeeper;
    private final CuratorFramework client;
    private final ExecutorService events;
    private volatile CuratorCache cache;
    private ConnectionState lastLogged; // events thread only

    private ZooKeeperOverrideStore(String connectString, String overridesPath, int connectionTimeoutMs) {
        super("zookeeper", Clock.systemUTC());
        this.connectString = connectString;
        this.overridesPath = overridesPath;
        this.events = Executors.newSingleThreadExecutor(new DefaultThreadFactory("sluice-zk-overrides-events", true));
        // BRIEF retries: with the connection timeout they bound how long a put blocks in an outage.
        this.zooKeeper = ZooKeeperClient.build(connectString, "sluice-zk-overrides-curator", ZooKeeperClient.Retry.BRIEF,
                ZooKeeperClient.SESSION_TIMEOUT_MS, connectionTimeoutMs);
        this.client = zooKeeper.curator();
    }

    /**
     * Connects (blocking up to {@code connectTimeout}), makes sure {@code <basePath>/overrides}
     * exists, loads every override and starts watching. Call at start-up, never on an event loop.
     *
     * @throws IOException when ZooKeeper cannot be reached or the overrides cannot be loaded in time
     */
    public static ZooKeeperOverrideStore open(String connectString, String basePath, Duration connectTimeout)
            throws IOException {
        Objects.requireNonNull(connectString, "connectString");
        Objects.requireNonNull(basePath, "basePath");
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        int connectionTimeoutMs = (int) Math.max(1, Math.min(CONNECTION_TIMEOUT_MS, connectTimeout.toMillis()));
        ZooKeeperOverrideStore store = new ZooKeeperOverrideStore(
                connectString, ZKPaths.makePath(basePath, "overrides"), connectionTimeoutMs);
        try {
            store.start(deadline);
            return store;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            store.close();
            throw new IOException("interrupted while opening the ZooKeeper override store", e);
        } catch (IOException e) {
            store.close();
            throw e;
        } catch (Exception e) {
            store.close();
            throw new IOException("cannot open the ZooKeeper override store at " + connectString + " "
                    + store.overridesPath + ": " + e, e);
        }
    }

    private void start(long deadline) throws Exception {
        client.getConnectionStateListenable().addListener((c, s) -> onConnectionState(s), events);
        client.start();
        if (!client.blockUntilConnected((int) Math.max(1, remainingMs(deadline)), TimeUnit.MILLISECONDS)) {
            throw new IOException("no connection to ZooKeeper at " + connectString + " within the connect timeout");
        }
        try {
            client.create().creatingParentsIfNeeded().forPath(overridesPath, new byte[0]);
        } catch (KeeperException.NodeExistsException e) {
            // another node (or an earlier run) made it
        }
        CountDownLatch loaded = new CountDownLatch(1);
        CuratorCache c = CuratorCache.build(client, overridesPath);
        c.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(this::onUpsert)
                .forChanges((before, after) -> onUpsert(after))
                .forDeletes(this::onDelete)
                .forInitialized(loaded::countDown)
                .build(), events);
        cache = c;
        c.start();
        if (!loaded.await(Math.max(1, remainingMs(deadline)), TimeUnit.MILLISECONDS)) {
            throw new IOException("could not load the overrides under " + overridesPath + " from ZooKeeper at "
                    + connectString + " within the connect timeout");
        }
        startWriter();
        log.info("Loaded {} admin override(s) from ZooKeeper at {} {}", all().size(), connectString, overridesPath);
    }

    private static long remainingMs(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    @Override
    Stored read(String key) throws IOException, InterruptedException {
        String path = path(key);
        try {
            Stat stat = new Stat();
            byte[] data = client.getData().storingStatIn(stat).forPath(path);
            return new Stored(parseOrNone(data, path), stat.getMzxid());
        } catch (KeeperException.NoNodeException e) {
            return Stored.ABSENT;
        } catch (InterruptedException | IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot read " + path + " from ZooKeeper at " + connectString + ": " + e.getMessage(), e);
        }
    }

    /**
     * The versioned write: reads the node's stat, compares its {@code mzxid} with the base, then
     * writes with the node's {@code version} (BadVersion, NodeExists, NoNode: someone got in between).
     */
    @Override
    Stored writeIf(String key, AdminOverride next, Stored base) throws IOException, InterruptedException {
        String path = path(key);
        try {
            Stat stat = client.checkExists().forPath(path);
            boolean unchanged = base.absent() ? stat == null : stat != null && stat.getMzxid() == base.version();
            if (!unchanged) {
                return null;
            }
            if (next.isNone()) {
                if (stat != null) {
                    client.delete().withVersion(stat.getVersion()).forPath(path);
                }
                return new Stored(AdminOverride.NONE, stat == null ? base.version() : stat.getMzxid());
            }
            if (stat == null) {
                Stat created = new Stat();
                client.create().storingStatIn(created).forPath(path, OverrideJson.serialize(next));
                return new Stored(next, created.getMzxid());
            }
            Stat written = client.setData().withVersion(stat.getVersion()).forPath(path, OverrideJson.serialize(next));
            return new Stored(next, written.getMzxid());
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                 | KeeperException.NoNodeException e) {
            return null;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot write the override of " + key + " to ZooKeeper at " + connectString + ": "
                    + e.getMessage(), e);
        }
    }

    private String path(String key) {
        return ZKPaths.makePath(overridesPath, encode(key));
    }

    /** Closes the cache and the client, then this store's threads. Safe twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopWriter();
        CuratorCache c = cache;
        cache = null;
        closeLogged(c, "cache");
        closeLogged(zooKeeper, "client");
        events.shutdown();
        try {
            if (!events.awaitTermination(5, TimeUnit.SECONDS)) {
                events.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            events.shutdownNow();
        }
    }

    // ---- events thread ----

    private void onConnectionState(ConnectionState state) {
        if (closed.get() || state == lastLogged) {
            return;
        }
        lastLogged = state;
        reachability(state.isConnected());
        switch (state) {
            case CONNECTED, RECONNECTED -> log.info("Override store: connected to ZooKeeper at {}", connectString);
            case SUSPENDED -> log.warn("Override store: connection to ZooKeeper at {} suspended; keeping the last {}"
                    + " override(s); admin changes apply here and are queued", connectString, all().size());
            case LOST -> log.warn("Override store: ZooKeeper session at {} lost; keeping the last {} override(s);"
                    + " admin changes apply here and are queued", connectString, all().size());
            case READ_ONLY -> { }
        }
    }

    private void onUpsert(ChildData data) {
        String key = keyOf(data);
        if (key == null) {
            return;
        }
        AdminOverride o;
        try {
            o = OverrideJson.parse(data.getData());
        } catch (IOException | RuntimeException e) {
            log.warn("Ignoring unreadable override {} in ZooKeeper: {}", data.getPath(), e.getMessage());
            return;
        }
        remoteUpsert(key, new Stored(o, data.getStat().getMzxid()));
    }

    private void onDelete(ChildData data) {
        String key = keyOf(data);
        if (key == null) {
            return;
        }
        remoteDelete(key, data.getStat() == null ? 0 : data.getStat().getMzxid());
    }

    /** The "pool/backend" key of a direct child of the overrides node, or null (the node itself, or junk). */
    private String keyOf(ChildData data) {
        if (data == null) {
            return null;
        }
        ZKPaths.PathAndNode pn = ZKPaths.getPathAndNode(data.getPath());
        if (!overridesPath.equals(pn.getPath())) {
            return null;
        }
        String key = decode(pn.getNode());
        if (key == null || key.indexOf('/') <= 0 || key.indexOf('/') == key.length() - 1) {
            log.warn("Ignoring override node {} in ZooKeeper: not an encoded pool/backend", data.getPath());
            return null;
        }
        return key;
    }

    // ---- encoding ----

    static String encode(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8);
    }

    static String decode(String node) {
        try {
            return URLDecoder.decode(node, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Unreadable data (written by something else) counts as no override, so a put can replace it. */
    private static AdminOverride parseOrNone(byte[] data, String path) {
        try {
            return OverrideJson.parse(data);
        } catch (IOException | RuntimeException e) {
            log.warn("Replacing unreadable override {} in ZooKeeper: {}", path, e.getMessage());
            return AdminOverride.NONE;
        }
    }

    private static void closeLogged(AutoCloseable closeable, String what) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("Closing the ZooKeeper override store's {} failed", what, e);
        }
    }
}
