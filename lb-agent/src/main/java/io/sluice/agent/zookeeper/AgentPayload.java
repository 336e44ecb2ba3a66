package io.sluice.agent.zookeeper;

/**
 * What the agent puts in a ZooKeeper instance's payload: the fields of the daemon's
 * {@code io.sluice.discovery.zookeeper.InstancePayload}, written under that class name by
 * {@link PayloadSerializer} so the daemon's Curator serializer reads it.
 *
 * @param weight      0..1000
 * @param maintenance true: the daemon drains the instance (existing connections stay)
 */
public record AgentPayload(int weight, boolean maintenance) {

    AgentPayload withMaintenance(boolean m) {
        return new AgentPayload(weight, m);
    }
}
