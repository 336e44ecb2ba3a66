package io.sluice.daemon;

import io.sluice.config.SluiceConfig;
import io.sluice.state.ConsulOverrideStore;
import io.sluice.state.LocalOverrideStore;
import io.sluice.state.OverrideStore;
import io.sluice.state.ZooKeeperOverrideStore;
import java.io.IOException;
import java.time.Duration;

/** Opens the override store the config names (local file, ZooKeeper or Consul). */
final class OverrideStores {

    private OverrideStores() {}

    /**
     * The override store: the local state file (none for configs not loaded from a file, as in
     * tests), or the fleet-wide ZooKeeper store under discovery.zookeeper's base path. Opening the
     * shared store loads every override before any listener binds.
     */
    static OverrideStore open(SluiceConfig config) {
        if ("zookeeper".equals(config.state().store())) {
            var zk = config.discovery().zookeeper();
            try {
                return ZooKeeperOverrideStore.open(zk.connect(), zk.basePath(), Duration.ofSeconds(15));
            } catch (IOException e) {
                throw new IllegalStateException("cannot open the ZooKeeper state store at " + zk.connect()
                        + zk.basePath() + ": " + e.getMessage(), e);
            }
        }
        if ("consul".equals(config.state().store())) {
            var consul = config.discovery().consul();
            try {
                return ConsulOverrideStore.open(consul.address(), RegistrySources.token(consul),
                        consul.datacenter(), "sluice/overrides", Duration.ofSeconds(15));
            } catch (IOException e) {
                throw new IllegalStateException("cannot open the Consul state store at " + consul.address() + ": "
                        + e.getMessage(), e);
            }
        }
        return LocalOverrideStore.open(config.state().file());
    }
}
