package io.sluice.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One backend of a pool as configured.
 *
 * @param name    unique within its pool; the backend's identity for hashing and counters
 * @param address resolved at load time (hostnames are looked up once, by the loader)
 * @param weight  relative share of new connections, 0..1000; 0 takes no new connections
 */
public record BackendConfig(String name, InetSocketAddress address, int weight) {

    public BackendConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
    }
}
