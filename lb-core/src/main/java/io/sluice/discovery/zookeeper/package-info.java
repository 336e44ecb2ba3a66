/**
 * ZooKeeper discovery through Apache Curator's service discovery recipe: a watch on one service's
 * instances. Entry types: {@link io.sluice.discovery.zookeeper.ZooKeeperDiscovery} (the watch),
 * {@link io.sluice.discovery.zookeeper.ZooKeeperRegistration} (an instance registering itself),
 * with lb-common's {@link io.sluice.registration.InstancePayload} and its codec (what an instance says about itself).
 */
package io.sluice.discovery.zookeeper;
