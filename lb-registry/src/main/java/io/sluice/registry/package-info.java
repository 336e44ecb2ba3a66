/**
 * The registry client layer shared by the daemon and the agent: one client per registry
 * ({@link io.sluice.registry.consul.ConsulClient}, {@link io.sluice.registry.zookeeper.ZooKeeperClient}),
 * one blocking-query watch ({@link io.sluice.registry.consul.BlockingWatch}) and one {@link io.sluice.registry.Backoff}.
 */
package io.sluice.registry;
