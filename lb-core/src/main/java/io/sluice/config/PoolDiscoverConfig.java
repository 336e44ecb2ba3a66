package io.sluice.config;

import java.util.List;

/**
 * Where a pool discovers backends (pool key {@code discover}); exactly one of the two is set.
 * Static {@code backends} and discovered ones can mix in one pool.
 *
 * @param consulService    Consul service name, or null
 * @param consulTags       only instances with all these tags (Consul only)
 * @param passingOnly      Consul only: ask for passing instances only (default true)
 * @param zookeeperService ZooKeeper service name, or null
 */
public record PoolDiscoverConfig(String consulService, List<String> consulTags, boolean passingOnly, String zookeeperService) {
    public PoolDiscoverConfig {
        consulTags = List.copyOf(consulTags);
    }
}
