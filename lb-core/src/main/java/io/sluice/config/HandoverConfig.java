package io.sluice.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where this daemon listens for a new Sluice process that takes over its listeners and
 * connections ({@code sluice run --takeover PATH}, docs/handover.md), and how long either side
 * waits for the other.
 *
 * @param socket        the UNIX socket's path (created mode 0600)
 * @param stepTimeout   the longest wait for the other process at any step of the protocol; when it
 *                      passes, the old process takes everything back it still owns and accepts again
 * @param acceptTimeout how long a client may wait in the queue of a listener the old process has
 *                      stopped serving before it concludes the new process does not accept, takes
 *                      the listeners back and aborts the handover
 */
public record HandoverConfig(Path socket, Duration stepTimeout, Duration acceptTimeout) {

    /** The kernel's limit for a UNIX socket path (sun_path holds 108 bytes with the final NUL). */
    public static final int MAX_PATH_BYTES = 107;
    /** Seconds, not a minute: every second of a stalled step may be a second nobody accepts. */
    public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_ACCEPT_TIMEOUT = Duration.ofMillis(500);

    public HandoverConfig {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(stepTimeout, "stepTimeout");
        Objects.requireNonNull(acceptTimeout, "acceptTimeout");
    }

    public HandoverConfig(Path socket) {
        this(socket, DEFAULT_STEP_TIMEOUT, DEFAULT_ACCEPT_TIMEOUT);
    }
}
