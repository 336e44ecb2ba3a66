/**
 * Consul's HTTP API as Sluice uses it: {@link io.sluice.registry.consul.ConsulClient} (health, KV with
 * check-and-set, agent registration) and {@link io.sluice.registry.consul.BlockingWatch}, the one
 * blocking-query loop.
 */
package io.sluice.registry.consul;
