package io.sluice.registry.zookeeper;

import io.sluice.registry.DaemonThreadFactory;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.CloseableUtils;

/**
 * The one place a Curator client is built, for ZooKeeper discovery, the ZooKeeper override store,
 * test registrations and the agent: same session timeout, named daemon threads, one of two retry
 * policies, and the "run safe" executor Curator needs but never shuts down when it makes it itself,
 * owned here and shut down by {@link #close}.
 *
 * <p>Threads: Curator's own (named {@code <threadName>-N}); this class only builds, starts and closes.
 */
public final class ZooKeeperClient implements AutoCloseable {

    /** The session timeout of every client: an agent's ephemeral instance outlives a 30 s network blip. */
    public static final int SESSION_TIMEOUT_MS = 30_000;

    /** How each ZooKeeper operation is retried (Curator's {@link ExponentialBackoffRetry}). */
    public enum Retry {
        /**
         * 200 ms doubling to 10 s, 29 times (Curator's maximum): minutes per operation. For watchers and
         * registrations, which should ride out an outage.
         */
        PATIENT(200, 29, 10_000),
        /**
         * 200 ms doubling to 2 s, 3 times: an operation fails within seconds. For writes a caller waits
         * on (an admin's override), which must fail fast.
         */
        BRIEF(200, 3, 2_000);

        private final int baseMs;
        private final int maxRetries;
        private final int maxMs;

        Retry(int baseMs, int maxRetries, int maxMs) {
            this.baseMs = baseMs;
            this.maxRetries = maxRetries;
            this.maxMs = maxMs;
        }

        RetryPolicy policy() {
            return new ExponentialBackoffRetry(baseMs, maxRetries, maxMs);
        }
    }

    private final String connectString;
    private final CuratorFramework curator;
    private final ExecutorService runSafe;

    private ZooKeeperClient(String connectString, CuratorFramework curator, ExecutorService runSafe) {
        this.connectString = connectString;
        this.curator = curator;
        this.runSafe = runSafe;
    }

    /**
     * Builds a client (not started: add connection listeners first, then {@link #start}).
     *
     * @param connectString       ZooKeeper's {@code host:port[,host:port...][/chroot]}
     * @param threadName          prefix of the client's thread names
     * @param sessionTimeoutMs    usually {@link #SESSION_TIMEOUT_MS}
     * @param connectionTimeoutMs how long one connection attempt may take
     */
    public static ZooKeeperClient build(String connectString, String threadName, Retry retry, int sessionTimeoutMs,
                                        int connectionTimeoutMs) {
        Objects.requireNonNull(connectString, "connectString");
        ExecutorService runSafe = Executors.newSingleThreadExecutor(new DaemonThreadFactory(threadName + "-safe"));
        CuratorFramework curator = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(retry.policy())
                .threadFactory(new DaemonThreadFactory(threadName))
                .runSafeService(runSafe)
                .build();
        return new ZooKeeperClient(connectString, curator, runSafe);
    }

    /**
     * Builds, starts and waits for the connection.
     *
     * @throws IOException when there is no connection within {@code connectTimeoutMs} (the client is closed)
     */
    public static ZooKeeperClient connect(String connectString, String threadName, Retry retry, long connectTimeoutMs)
            throws IOException, InterruptedException {
        int connectionTimeoutMs = (int) Math.max(1, Math.min(15_000, connectTimeoutMs));
        ZooKeeperClient client = build(connectString, threadName, retry, SESSION_TIMEOUT_MS, connectionTimeoutMs);
        try {
            client.start();
            client.awaitConnected(connectTimeoutMs);
            return client;
        } catch (IOException | InterruptedException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Starts connecting in the background; returns at once. */
    public void start() {
        curator.start();
    }

    /** @throws IOException when there is no connection within {@code timeoutMs} */
    public void awaitConnected(long timeoutMs) throws IOException, InterruptedException {
        if (!curator.blockUntilConnected((int) Math.max(1, timeoutMs), TimeUnit.MILLISECONDS)) {
            throw new IOException("no connection to ZooKeeper at " + connectString + " within " + timeoutMs + " ms");
        }
    }

    public CuratorFramework curator() {
        return curator;
    }

    public String connectString() {
        return connectString;
    }

    /** Closes the Curator client (its session, and so its ephemeral nodes, go) and the run-safe executor. Safe twice. */
    @Override
    public void close() {
        CloseableUtils.closeQuietly(curator);
        runSafe.shutdownNow();
    }
}
