package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code pid} and {@code handover} part of {@code GET /api/v1/status}, as {@code upgrade} reads it
 * (docs/admin-api.md; the protocol itself is in docs/handover.md).
 *
 * @param pid the daemon's process id, -1 when the daemon does not report one (a version without handover)
 * @param socket the handover socket it listens on, null when its config has none
 * @param state {@code idle}, {@code taking-over} or {@code handing-over}; null when absent
 * @param last the daemon's last handover, null when it has had none
 */
record Handover(long pid, String socket, String state, Last last) {

    static Handover of(JsonNode status) {
        JsonNode h = status.path("handover");
        JsonNode last = h.get("last");
        return new Handover(status.path("pid").asLong(-1), Views.text(h, "socket"), Views.text(h, "state"),
                last == null || !last.isObject() ? null : Last.of(last));
    }

    /** {@code /run/sluice/handover.sock, idle; last: received from pid 1200, 10000 connections, done}. */
    String describe() {
        String d = (socket == null ? "no socket" : socket) + ", " + state;
        if (last != null) {
            d += "; last: " + last.role() + (last.received() ? " from" : " to") + " pid " + last.peerPid() + ", "
                    + last.connections() + (last.connections() == 1 ? " connection" : " connections") + ", " + last.outcome();
        }
        return d;
    }

    boolean idle() {
        return "idle".equals(state);
    }

    /**
     * One handover as a daemon remembers it.
     *
     * @param role {@code received} (this daemon took over) or {@code sent}
     * @param outcome {@code done}, or {@code aborted: <why>}
     */
    record Last(String role, long peerPid, String startedAt, long durationMillis, long connections, long refused,
            long kept, long longestPauseMillis, String outcome) {

        static Last of(JsonNode l) {
            return new Last(Views.text(l, "role"), l.path("peer_pid").asLong(-1), Views.text(l, "started_at"),
                    l.path("duration_millis").asLong(), l.path("connections").asLong(), l.path("refused").asLong(),
                    l.path("kept").asLong(), l.path("longest_pause_millis").asLong(), Views.text(l, "outcome"));
        }

        boolean received() {
            return "received".equals(role);
        }

        boolean done() {
            return "done".equals(outcome);
        }
    }
}
