/** ZooKeeper registration with Curator, in the daemon's wire format: {@link io.sluice.agent.zookeeper.ZooKeeperRegistrar}. */
package io.sluice.agent.zookeeper;
