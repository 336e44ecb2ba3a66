/**
 * sluice-agent: registers app servers in Consul or ZooKeeper and drains them on shutdown.
 * Entry types: {@link SluiceAgent} (the command line), {@link Agent}; the registries it drives
 * implement {@link io.sluice.agent.registrar.Registrar}.
 */
package io.sluice.agent;
