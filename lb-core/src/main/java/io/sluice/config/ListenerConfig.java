package io.sluice.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A socket Sluice accepts connections on, and the pool it sends them to.
 *
 * @param name the listener's unique name
 * @param bind the local address; the wildcard address when the YAML said {@code :port}
 * @param mode how connections are treated
 * @param pool name of a pool of the same {@link SluiceConfig}
 * @param line 1-based YAML line of the listener entry, so later messages (a failed bind) can point at it
 */
public record ListenerConfig(String name, InetSocketAddress bind, ListenerMode mode, String pool, int line) {

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(pool, "pool");
    }
}
