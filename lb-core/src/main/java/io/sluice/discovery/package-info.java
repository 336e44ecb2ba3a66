/**
 * Backend discovery from registries (Consul, ZooKeeper): the seam between a registry client and
 * the daemon's pools. Entry types: {@link io.sluice.discovery.Discovery},
 * {@link io.sluice.discovery.DiscoveryListener}, {@link io.sluice.discovery.DiscoveredBackend}.
 */
package io.sluice.discovery;
