package io.sluice.admin;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.ConnectionView;
import io.sluice.adminapi.ExplainView;
import io.sluice.adminapi.PoolView;
import io.sluice.adminapi.Readiness;
import io.sluice.adminapi.ReloadResult;
import io.sluice.adminapi.StatusView;
import io.sluice.adminapi.StickTableView;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * What the admin API can see and do, implemented by the daemon. The HTTP layer
 * ({@link AdminServer}) only translates requests to these calls and their results to JSON.
 *
 * <p>Threads: called from the admin server's own executor, never from a data-plane event loop.
 * Methods may block briefly (mutations are applied on the daemon's control thread and awaited).
 * Unknown names throw {@link NotFoundException}; invalid arguments throw
 * {@link IllegalArgumentException} with a message fit for the API client.
 */
public interface AdminOperations {

    /** Version, uptime, transport, listeners. */
    StatusView status();

    List<PoolView> pools();

    PoolView pool(String name);

    /**
     * Stops new connections to the backend; existing ones continue. With a deadline, those still
     * open then are closed at {@code closeRatePerSecond} (null: the pool's default) with jitter.
     */
    BackendView drain(String pool, String backend, Duration deadline, Double closeRatePerSecond);

    /** Back to READY (from DRAIN or MAINT). */
    BackendView ready(String pool, String backend);

    /** Like drain without a deadline; {@code kill} closes existing connections now (paced). */
    BackendView maint(String pool, String backend, boolean kill);

    /** Sets an admin weight override (0..1000); new connections follow the new weight. */
    BackendView weight(String pool, String backend, int weight);

    /** Live connections, newest first; {@code pool}/{@code backend} filter when non-null. */
    List<ConnectionView> connections(String pool, String backend, int limit);

    /** Which route, pool and backend a client would get now, and why. */
    ExplainView explain(String listener, String sni, List<String> alpn, InetAddress client);

    /** The pool's stick table on this node, at most {@code limit} entries; 404 for a pool that is not sticky. */
    StickTableView stickTable(String pool, int limit);

    /** Forgets every entry of the pool's stick table on this node; open connections stay where they are. */
    StickTableView clearStickTable(String pool);

    /** Re-reads the config file; an invalid one is rejected and the running one kept. */
    ReloadResult reload();

    /** /readyz: listeners bound and every pool has its first backend set. */
    Readiness readiness();

    /** GET /metrics: the Prometheus text exposition. */
    String prometheusText();

    /** An unknown pool, backend or listener. */
    final class NotFoundException extends RuntimeException {
        public NotFoundException(String message) {
            super(message);
        }
    }
}
