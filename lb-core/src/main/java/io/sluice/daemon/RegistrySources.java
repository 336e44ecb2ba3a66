package io.sluice.daemon;

import io.sluice.config.ConsulRegistryConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.PoolDiscoverConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.config.ZooKeeperRegistryConfig;
import io.sluice.discovery.Discovery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** Builds the registry source a pool's {@code discover} names, from the top-level {@code discovery} settings. */
final class RegistrySources {

    private RegistrySources() {}

    static Discovery create(SluiceConfig config, PoolConfig pool) {
        PoolDiscoverConfig d = pool.discover();
        if (d.consulService() != null) {
            ConsulRegistryConfig consul = config.discovery().consul();
            throw new UnsupportedOperationException("consul discovery for " + consul.address() + " lands next");
        }
        ZooKeeperRegistryConfig zk = config.discovery().zookeeper();
        throw new UnsupportedOperationException("zookeeper discovery for " + zk.connect() + " lands next");
    }

    private static String token(ConsulRegistryConfig consul) {
        if (consul.tokenFile() == null) {
            return null;
        }
        try {
            return Files.readString(consul.tokenFile()).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Consul token file " + consul.tokenFile(), e);
        }
    }
}
