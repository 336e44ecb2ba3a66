package io.sluice.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * @param address    the Consul HTTP API, e.g. http://127.0.0.1:8500
 * @param tokenFile  file holding the ACL token, or null
 * @param datacenter the datacenter to query, or null (the agent's own)
 */
public record ConsulRegistryConfig(URI address, Path tokenFile, String datacenter) {
    public ConsulRegistryConfig {
        Objects.requireNonNull(address, "address");
    }
}
