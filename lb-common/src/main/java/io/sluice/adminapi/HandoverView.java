package io.sluice.adminapi;

/**
 * The {@code handover} object of GET /api/v1/status (docs/handover.md): what a daemon says about
 * handing its connections to a new process; {@code sluicectl upgrade} waits on it.
 *
 * @param socket the handover socket it listens on, null when its config has none
 * @param state  {@code idle}, {@code taking-over} or {@code handing-over}
 * @param last   the daemon's last handover, null when it has had none
 */
public record HandoverView(String socket, String state, Last last) {

    /** No socket, nothing going on, no history. */
    public static final HandoverView IDLE = new HandoverView(null, "idle", null);

    /**
     * One handover as a daemon remembers it, from its own side.
     *
     * @param role        {@code received} (this daemon took over) or {@code sent}
     * @param peerPid     the other process; null when a daemon does not say
     * @param startedAt   ISO-8601 instant
     * @param connections connections handed over
     * @param outcome     {@code done}, or {@code aborted: <why>}
     */
    public record Last(String role, Long peerPid, String startedAt, long durationMillis, long connections,
            long refused, long kept, long longestPauseMillis, int listeners, String outcome) {

        public boolean received() {
            return "received".equals(role);
        }

        public boolean done() {
            return "done".equals(outcome);
        }
    }
}
