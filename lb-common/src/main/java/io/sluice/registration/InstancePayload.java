package io.sluice.registration;

/**
 * What a Sluice instance in ZooKeeper says about itself, inside Curator's service-instance JSON: its
 * weight and whether it is in maintenance. Written by sluice-agent (and by the daemon's test
 * registration), read by the daemon's ZooKeeper discovery; {@link InstanceCodec} is the one
 * codec both use (the wire format is in docs/discovery.md).
 *
 * @param weight      0..1000 (out-of-range values are clamped by the discovery side); default 100
 * @param maintenance true: the daemon drains the instance (existing connections stay)
 */
public record InstancePayload(int weight, boolean maintenance) {

    /** The weight of an instance that says nothing. */
    public static final int DEFAULT_WEIGHT = 100;

    /** A payload with the default weight, not in maintenance. */
    public static InstancePayload defaults() {
        return new InstancePayload(DEFAULT_WEIGHT, false);
    }

    /** This payload with {@code maintenance} set. */
    public InstancePayload withMaintenance(boolean newMaintenance) {
        return new InstancePayload(weight, newMaintenance);
    }
}
