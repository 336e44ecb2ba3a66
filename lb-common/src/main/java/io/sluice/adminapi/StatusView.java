package io.sluice.adminapi;

import java.util.List;

/**
 * The daemon at a glance (GET /api/v1/status).
 *
 * @param pid         the daemon's process id; null from a daemon that does not report one
 * @param handover    the handover object; null from a daemon without handover support
 * @param sharedStore the override store's state; null from a daemon that does not report one
 */
public record StatusView(
        String version,
        long uptimeSeconds,
        String transport,
        String configFile,
        int activeConnections,
        List<Listener> listeners,
        Long pid,
        HandoverView handover,
        StoreView sharedStore) {

    /** A status of this process without handover details (tests, embedders). */
    public StatusView(String version, long uptimeSeconds, String transport, String configFile, int activeConnections,
                      List<Listener> listeners) {
        this(version, uptimeSeconds, transport, configFile, activeConnections, listeners, ProcessHandle.current().pid(),
                HandoverView.IDLE, null);
    }

    /** @param pools the listener's pool (tcp) or every pool its routes name (tls) */
    public record Listener(String name, String bind, String mode, List<String> pools) {}
}
