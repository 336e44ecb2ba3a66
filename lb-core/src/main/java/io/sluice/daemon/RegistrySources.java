package io.sluice.daemon;

import io.sluice.config.ConsulRegistryConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.PoolDiscoverConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.config.ZooKeeperRegistryConfig;
import io.sluice.discovery.Discovery;
import io.sluice.discovery.consul.ConsulDiscovery;
import io.sluice.discovery.zookeeper.ZooKeeperDiscovery;
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
            return new ConsulDiscovery(pool.name(), consul.address(), token(consul), consul.datacenter(),
                    d.consulService(), d.consulTags(), d.passingOnly());
        }
        ZooKeeperRegistryConfig zk = config.discovery().zookeeper();
        return new ZooKeeperDiscovery(pool.name(), zk.connect(), zk.basePath(), d.zookeeperService());
    }

    /** The Consul ACL token from its file, or null when none is configured. */
    static String token(ConsulRegistryConfig consul) {
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
