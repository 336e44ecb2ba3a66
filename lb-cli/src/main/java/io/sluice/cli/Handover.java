package io.sluice.cli;

import io.sluice.adminapi.HandoverView;
import io.sluice.adminapi.StatusView;

/**
 * The {@code pid} and {@code handover} part of {@code GET /api/v1/status}, as {@code upgrade} reads it
 * (docs/admin-api.md; the protocol itself is in docs/handover.md).
 *
 * @param pid the daemon's process id, -1 when the daemon does not report one (a version without handover)
 * @param socket the handover socket it listens on, null when its config has none
 * @param state {@code idle}, {@code taking-over} or {@code handing-over}; null when absent
 * @param last the daemon's last handover, null when it has had none
 */
record Handover(long pid, String socket, String state, HandoverView.Last last) {

    static Handover of(StatusView status) {
        HandoverView h = status.handover() == null ? new HandoverView(null, null, null) : status.handover();
        return new Handover(status.pid() == null ? -1 : status.pid(), h.socket(), h.state(), h.last());
    }

    /** {@code /run/sluice/handover.sock, idle; last: received from pid 1200, 10000 connections, done}. */
    String describe() {
        String d = (socket == null ? "no socket" : socket) + ", " + state;
        if (last != null) {
            d += "; last: " + last.role() + (last.received() ? " from" : " to") + " pid "
                    + (last.peerPid() == null ? -1 : last.peerPid()) + ", "
                    + last.connections() + (last.connections() == 1 ? " connection" : " connections") + ", " + last.outcome();
        }
        return d;
    }

    boolean idle() {
        return "idle".equals(state);
    }
}
