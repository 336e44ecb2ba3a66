package io.sluice.proxy;

import io.netty.channel.ConnectTimeoutException;
import io.sluice.backend.Backend;
import io.sluice.logging.ThrottledLog;
import io.sluice.pool.Pool;
import io.sluice.sticky.StickyKey;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * One client's tries at reaching a backend of its pool, whichever relay makes the connects
 * ({@link BackendConnector} with channels, {@link SocketConnection} with bare sockets): picks
 * among the backends not tried yet, counts each failure (metrics, passive health, the backend's
 * state) and decides whether another try is allowed ({@code retries} of the pool), and what the
 * client is told when none is left.
 *
 * <p>Event loop of the connection only.
 */
final class ConnectAttempts {

    private static final ThrottledLog noBackendLog =
            new ThrottledLog(LoggerFactory.getLogger(BackendConnector.class), TimeUnit.SECONDS.toNanos(10));

    private final Connection connection;
    private final FrontendSettings settings;
    private final Pool pool;
    private final StickyKey key;
    private final List<Backend> tried = new ArrayList<>(2);

    ConnectAttempts(Connection connection, Pool pool) {
        this.connection = connection;
        this.settings = connection.settings();
        this.pool = pool;
        this.key = pool.keyOf(connection.client().getAddress());
    }

    Pool pool() {
        return pool;
    }

    /** How long one connect may take. */
    long timeoutMillis() {
        return pool.config().connectTimeout().toMillis();
    }

    /**
     * The next backend to try, or null when none is left: then the client has been closed
     * ({@link #giveUp}) and the caller stops.
     */
    Pool.Selection nextOrGiveUp() {
        Pool.Selection selection = pool.pick(key, tried);
        if (selection == null) {
            giveUp();
        }
        return selection;
    }

    /**
     * No descriptor for a new socket (EMFILE under a flood, or the reserve reached): not the
     * backend's fault, so neither a connect failure for passive health nor a retry on another
     * backend. The client is closed.
     */
    void noSocket(String why) {
        noBackendLog.warn("listener '{}': cannot open a socket to a backend ({}); closing client {}",
                settings.listener(), why, connection.client());
        settings.metrics().refused(settings.listener(), CloseReason.CONNECT_FAILED.word());
        connection.close(CloseReason.CONNECT_FAILED);
    }

    void succeeded(Backend backend) {
        settings.connects().connectSucceeded(pool, backend);
    }

    /** A connect to {@code backend} failed: counted everywhere; true if another backend may be tried. */
    boolean failed(Backend backend, Throwable cause) {
        settings.metrics().connectFailed(pool.name(), backend.name(), failureWord(cause));
        settings.connects().connectFailed(pool, backend);
        RelayLog.debugCause("connect to {} failed: {}", backend, cause);
        tried.add(backend);
        boolean retry = tried.size() <= pool.config().retries();
        backend.state().connectFailed(retry);
        return retry;
    }

    /** Nothing left to try: the client is closed, and the operator told why (throttled). */
    void giveUp() {
        CloseReason reason = tried.isEmpty() ? CloseReason.NO_BACKEND : CloseReason.CONNECT_FAILED;
        settings.metrics().refused(settings.listener(), reason.word());
        if (reason == CloseReason.NO_BACKEND) {
            noBackendLog.warn("listener '{}': pool '{}' has no eligible backend; closing client {}",
                    settings.listener(), pool.name(), connection.client());
        } else {
            noBackendLog.warn("listener '{}': pool '{}': every connect attempt failed ({}); closing client {}",
                    settings.listener(), pool.name(), tried, connection.client());
        }
        connection.close(reason);
    }

    private static String failureWord(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "timeout";
        }
        if (cause instanceof ConnectException) {
            return "refused";
        }
        return "error";
    }
}
