package io.sluice.agent;

import io.sluice.agent.config.AgentConfig;
import io.sluice.agent.config.ServiceConfig;
import io.sluice.agent.consul.ConsulRegistrar;
import io.sluice.agent.registrar.Registrar;
import io.sluice.agent.zookeeper.ZooKeeperRegistrar;
import io.sluice.registry.consul.ConsulClient;
import java.util.ArrayList;
import java.util.List;

/** Builds the registrars for a configuration's registry. */
final class Registrars {

    private Registrars() {
    }

    /** One registrar per service; for ZooKeeper this connects (up to 15 s each). */
    static List<Registrar> of(AgentConfig config, List<ServiceConfig> services) throws Exception {
        List<Registrar> out = new ArrayList<>();
        try {
            if (config.registry() == AgentConfig.Registry.CONSUL) {
                ConsulClient consul = ConsulRegistrar.client(config.consul());
                for (ServiceConfig s : services) {
                    out.add(new ConsulRegistrar(consul, s));
                }
            } else {
                for (ServiceConfig s : services) {
                    out.add(ZooKeeperRegistrar.connect(config.zookeeper(), s));
                }
            }
            return out;
        } catch (Exception e) {
            out.forEach(Registrar::close);
            throw e;
        }
    }
}
