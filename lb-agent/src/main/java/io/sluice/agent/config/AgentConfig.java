package io.sluice.agent.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The whole agent configuration, validated when loaded ({@link AgentConfigLoader}).
 *
 * @param registry  which registry the services go to
 * @param consul    Consul settings (defaults when absent)
 * @param zookeeper ZooKeeper settings (defaults when absent)
 * @param services  at least one, with unique ids
 */
public record AgentConfig(Registry registry, ConsulConfig consul, ZooKeeperConfig zookeeper,
        List<ServiceConfig> services) {

    /** The registries the agent can register with. */
    public enum Registry { CONSUL, ZOOKEEPER }

    public AgentConfig {
        services = List.copyOf(services);
    }

    /** The service with this name, or all of them when {@code name} is null. */
    public List<ServiceConfig> select(String name) {
        return name == null ? services : services.stream().filter(s -> s.name().equals(name)).toList();
    }

    /**
     * @param address   Consul agent's HTTP API, e.g. {@code http://127.0.0.1:8500}
     * @param tokenFile a file holding the ACL token (trimmed), or empty for none
     */
    public record ConsulConfig(String address, Optional<Path> tokenFile) {
        public static final String DEFAULT_ADDRESS = "http://127.0.0.1:8500";
    }

    /**
     * @param connect  ZooKeeper's {@code host:port[,host:port...][/chroot]}
     * @param basePath the discovery recipe's base path, the daemon's {@code base-path}
     */
    public record ZooKeeperConfig(String connect, String basePath) {
        public static final String DEFAULT_CONNECT = "127.0.0.1:2181";
        public static final String DEFAULT_BASE_PATH = "/sluice";
    }
}
