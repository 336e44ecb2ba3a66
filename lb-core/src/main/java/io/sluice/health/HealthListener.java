package io.sluice.health;

import io.sluice.backend.Backend;
import java.time.Instant;

/**
 * Receives a pool's health transitions and check results; implemented by the daemon, which updates
 * the backend's state and rebuilds the pool snapshot on its control thread.
 *
 * <p>Threading: always called on the health event loop (passive failures seen on IO event loops are
 * handed over to it first), never concurrently for one backend. Implementations must not block and
 * should not throw (exceptions are logged and otherwise ignored).
 */
public interface HealthListener {

    /**
     * A backend changed state; called once per transition (the old state is the opposite of {@code up}).
     *
     * @param pool    the pool's config name
     * @param backend the newest {@link Backend} object the checker was given for this name
     * @param up      the new state
     * @param cause   why, e.g. {@code "3 failed checks (last: refused)"}, {@code "2 good checks"},
     *                {@code "5 connect failures from traffic"}, {@code "ejection of 30s ended"}
     */
    void healthChanged(String pool, Backend backend, boolean up, String cause);

    /**
     * Every active check's result: {@code "ok"}, or a failure word from a small fixed set
     * ({@code "refused"}, {@code "timeout"}, {@code "http 503"}, {@code "tls: untrusted certificate"},
     * ...; see docs/health-checks.md), so it can be a metric tag.
     *
     * @param at when the check finished (wall clock)
     */
    void checked(String pool, Backend backend, Instant at, String result);
}
