package io.sluice.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The admin HTTP listener.
 *
 * @param bind      where the admin API, status page, /metrics, /healthz and /readyz listen
 * @param tokenFile file holding the bearer token every mutating call must present; null: mutating
 *                  calls are refused (read-only admin)
 */
public record AdminConfig(InetSocketAddress bind, Path tokenFile) {

    public AdminConfig {
        Objects.requireNonNull(bind, "bind");
    }
}
