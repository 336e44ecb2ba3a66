package io.sluice.handover;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.adminapi.HandoverView;
import java.time.Instant;

/**
 * What the admin API reports about handovers: the socket, what is going on now, and how the last
 * one went (sluicectl upgrade waits on these). Thread-safe: written by the handover threads, read
 * by the admin threads.
 */
public final class HandoverStatus {

    /** How the last handover went, from this process's side ("sent" or "received"). */
    public record Summary(String role, long peerPid, Instant startedAt, long durationMillis, int connections,
                          int refused, int kept, long longestPauseMillis, int listeners, String outcome) {

        HandoverView.Last view() {
            return new HandoverView.Last(role, peerPid, startedAt.toString(), durationMillis, connections, refused,
                    kept, longestPauseMillis, listeners, outcome);
        }
    }

    private volatile String socket;
    private volatile String state = "idle";
    private volatile Summary last;
    private final MeterRegistry registry;

    /**
     * With gauges of the last handover and counters of refused peers in {@code registry}. The gauges
     * read 0 until a handover happened (NaN would break alert expressions and dashboards' sums).
     */
    public HandoverStatus(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("sluice.handover.last.duration.seconds", this,
                        h -> h.last == null ? 0 : h.last.durationMillis() / 1000.0)
                .description("How long the last handover took, on this process's side").register(registry);
        Gauge.builder("sluice.handover.last.longest.pause.seconds", this,
                        h -> h.last == null || h.last.longestPauseMillis() < 0 ? 0 : h.last.longestPauseMillis() / 1000.0)
                .description("The longest pause one connection saw in the last handover").register(registry);
        Gauge.builder("sluice.handover.last.connections", this,
                        h -> h.last == null ? 0 : h.last.connections())
                .description("Connections handed over (sent or received) in the last handover").register(registry);
    }

    /** A peer on the handover socket was refused; {@code reason}: uid, greeting, version, busy, timeout, invalid. */
    public void peerRefused(String reason) {
        registry.counter("sluice.handover.peers.refused", "reason", reason).increment();
    }

    public void socket(String path) {
        this.socket = path;
    }

    public void state(String now) {
        this.state = now;
    }

    public void finished(Summary summary) {
        this.last = summary;
        this.state = "idle";
    }

    public Summary last() {
        return last;
    }

    public String state() {
        return state;
    }

    /** The admin API's "handover" object. */
    public HandoverView view() {
        Summary s = last;
        return new HandoverView(socket, state, s == null ? null : s.view());
    }
}
