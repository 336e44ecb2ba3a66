/**
 * What a Sluice instance says about itself in a registry, defined once for the agent that writes it and
 * the daemon that reads it: the ZooKeeper {@link io.sluice.registry.InstancePayload} and its codec
 * {@link io.sluice.registry.InstanceCodec}, and the Consul service meta keys of
 * {@link io.sluice.registry.ConsulServiceMeta}.
 */
package io.sluice.registry;
