package io.sluice.config;

import java.util.Objects;

/**
 * @param connect  the ensemble, e.g. 127.0.0.1:2181 (ZooKeeper's connect string syntax)
 * @param basePath the znode under which services are registered (curator-x-discovery layout)
 */
public record ZooKeeperRegistryConfig(String connect, String basePath) {
    public ZooKeeperRegistryConfig {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(basePath, "basePath");
    }
}
