package io.sluice.admin;

import java.util.List;
import java.util.Map;

/** The daemon at a glance (GET /api/v1/status); {@code sharedStore} is the override store's state. */
public record StatusView(
        String version,
        long uptimeSeconds,
        String transport,
        String configFile,
        int activeConnections,
        List<Listener> listeners,
        long pid,
        Map<String, Object> handover,
        StoreView sharedStore) {

    /** A status without handover details (tests, embedders). */
    public StatusView(String version, long uptimeSeconds, String transport, String configFile, int activeConnections,
                      List<Listener> listeners) {
        this(version, uptimeSeconds, transport, configFile, activeConnections, listeners, ProcessHandle.current().pid(),
                Map.of("state", "idle"), null);
    }

    /** @param pools the listener's pool (tcp) or every pool its routes name (tls) */
    public record Listener(String name, String bind, String mode, List<String> pools) {}
}
