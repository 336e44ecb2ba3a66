/**
 * What a Sluice instance says about itself in a registry, defined once for the agent that writes it and
 * the daemon that reads it: the ZooKeeper {@link io.sluice.registration.InstancePayload} and its codec
 * {@link io.sluice.registration.InstanceCodec}, and the Consul service meta keys of
 * {@link io.sluice.registration.ConsulServiceMeta}.
 */
package io.sluice.registration;
