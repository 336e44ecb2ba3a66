/** Consul registration through the agent HTTP API: {@link io.sluice.agent.consul.ConsulRegistrar}. */
package io.sluice.agent.consul;
