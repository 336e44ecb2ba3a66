package io.sluice.adminapi;

/**
 * One backend as the admin API shows it (JSON field names are the snake_case of these).
 *
 * @param health           "up" or "down"
 * @param admin            "ready", "drain" or "maint"
 * @param weight           the weight in force (admin override, else configured)
 * @param configuredWeight the weight from the config
 * @param effectiveWeight  what the balancer uses now (0 when not eligible; lower during slow start)
 * @param eligible         takes new connections now (up, ready, weight &gt; 0)
 * @param lastCheck        ISO-8601 time of the last active health check, or null
 * @param lastCheckResult  e.g. "ok", "refused", "timeout", "http 503", or null
 * @param drainDeadline    ISO-8601 time when remaining connections get closed, or null
 * @param since            ISO-8601 time of the last state change
 * @param cause            why the last state change happened ("admin api", "health check", ...)
 * @param maglevSlots      the backend's share of the pool's Maglev table, or null for other balancers
 * @param sharedStore      in the answer to an admin change: what became of it in the override store;
 *                         null in listings
 */
public record BackendView(
        String name,
        String address,
        String health,
        String admin,
        int weight,
        int configuredWeight,
        int effectiveWeight,
        boolean eligible,
        int activeConnections,
        long totalConnections,
        long bytesUp,
        long bytesDown,
        String lastCheck,
        String lastCheckResult,
        String drainDeadline,
        String since,
        String cause,
        Integer maglevSlots,
        StoreWriteView sharedStore) {

    /** This view with what became of the change in the override store. */
    public BackendView withStoreWrite(StoreWriteView write) {
        return new BackendView(name, address, health, admin, weight, configuredWeight, effectiveWeight, eligible,
                activeConnections, totalConnections, bytesUp, bytesDown, lastCheck, lastCheckResult, drainDeadline,
                since, cause, maglevSlots, write);
    }
}
