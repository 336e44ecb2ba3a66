/** ZooKeeper as Sluice uses it: {@link io.sluice.registry.zookeeper.ZooKeeperClient}, the one way a Curator client is built. */
package io.sluice.registry.zookeeper;
