package io.sluice.config;

/**
 * The registries the daemon may discover backends from (top-level {@code discovery}).
 *
 * @param consul               the Consul agent to ask, or null
 * @param zookeeper            the ZooKeeper ensemble to watch, or null
 * @param waitForFirstSnapshot listeners are bound only once every discovered pool has had its first
 *                             snapshot, so a restarted node never routes on an empty or partial set
 */
public record DiscoveryConfig(ConsulRegistryConfig consul, ZooKeeperRegistryConfig zookeeper, boolean waitForFirstSnapshot) {}
