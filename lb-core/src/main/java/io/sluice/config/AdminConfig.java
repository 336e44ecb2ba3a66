package io.sluice.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The admin HTTP listener.
 *
 * @param bind         where the admin API, status page, /metrics, /healthz and /readyz listen
 * @param tokenFile    file holding the bearer token every mutating call must present; null: mutating
 *                     calls are refused (read-only admin)
 * @param allowedHosts the {@code Host} names the admin API answers, each {@code name} or
 *                     {@code name:port} in lower case (IPv6 in brackets), or the single entry
 *                     {@code *} (any); empty: the defaults (localhost, 127.0.0.1, [::1] and the
 *                     bind address)
 */
public record AdminConfig(InetSocketAddress bind, Path tokenFile, List<String> allowedHosts) {

    /** The entry that turns the Host check off. */
    public static final String ANY_HOST = "*";

    public AdminConfig {
        Objects.requireNonNull(bind, "bind");
        allowedHosts = List.copyOf(allowedHosts);
    }

    /** With the default allowed hosts. */
    public AdminConfig(InetSocketAddress bind, Path tokenFile) {
        this(bind, tokenFile, List.of());
    }
}
