package io.sluice.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where this daemon listens for a new Sluice process that takes over its listeners and
 * connections ({@code sluice run --takeover PATH}, docs/handover.md).
 *
 * @param socket the UNIX socket's path (created mode 0600)
 */
public record HandoverConfig(Path socket) {

    /** The kernel's limit for a UNIX socket path (sun_path holds 108 bytes with the final NUL). */
    public static final int MAX_PATH_BYTES = 107;

    public HandoverConfig {
        Objects.requireNonNull(socket, "socket");
    }
}
