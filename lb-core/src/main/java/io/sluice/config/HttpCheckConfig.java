package io.sluice.config;

import java.util.Objects;

/**
 * The HTTP health check: {@code GET path} with {@code Host: host}, healthy when the status is in
 * [statusMin, statusMax].
 *
 * @param host the Host header; null: the backend's address
 */
public record HttpCheckConfig(String path, int statusMin, int statusMax, String host) {

    public static final HttpCheckConfig DEFAULTS = new HttpCheckConfig("/healthz", 200, 399, null);

    public HttpCheckConfig {
        Objects.requireNonNull(path, "path");
    }
}
