/**
 * sluice-agent: registers app servers in Consul or ZooKeeper and drains them on shutdown.
 * Entry types: {@link io.sluice.agent.SluiceAgent} (the command line), {@link io.sluice.agent.Agent}, {@link io.sluice.agent.Registrar}.
 */
package io.sluice.agent;
