package io.sluice.agent.registrar;

import io.sluice.agent.probe.AppProbe;

/**
 * One service instance in one registry. Implementations: Consul (HTTP API) and ZooKeeper (Curator).
 *
 * <p>Called from the agent's single scheduler thread and, for shutdown, from the main thread after
 * the scheduler stopped; never concurrently. Every method blocks on the registry.
 */
public interface Registrar extends AutoCloseable {

    /** The instance id in the registry. */
    String id();

    /** Registers the instance (again, if it is already there). */
    void register() throws Exception;

    /** Called every check interval with the latest probe; the registrar reports it (and heals what it must). */
    void report(AppProbe.Result result) throws Exception;

    /** Turns maintenance on (the daemon drains: no new connections, existing ones stay) or off. */
    void maintenance(boolean enable, String reason) throws Exception;

    /** Removes the instance from the registry. */
    void deregister() throws Exception;

    /** Releases connections; does not deregister by itself (ZooKeeper's ephemeral node does go). */
    @Override
    void close();
}
