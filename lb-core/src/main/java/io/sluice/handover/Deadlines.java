package io.sluice.handover;

import java.time.Duration;

/**
 * How long one side of a handover waits for the other (docs/handover.md, "Deadlines").
 *
 * @param step   the longest wait for any message, descriptor or write at one step of the protocol
 * @param accept how long a client may wait in the queue of a listener the old process no longer
 *               serves before the old process concludes the new one does not accept
 */
public record Deadlines(Duration step, Duration accept) {

    public static final Deadlines DEFAULTS = new Deadlines(Duration.ofSeconds(5), Duration.ofMillis(500));
}
