package io.sluice.registration;

/**
 * What a Sluice instance in ZooKeeper says about itself, inside Curator's service-instance JSON: its
 * weight and whether it is in maintenance. Written by sluice-agent (and by the daemon's test
 * registration), read by the daemon's ZooKeeper discovery; {@link InstanceCodec} is the one
 * codec both use (the wire format is in docs/discovery.md).
 *
 * @param weight      0..1000 (out-of-range values are clamped by the discovery side); default 100
 * @param maintenance true: the daemon drains the instance (existing connections stay)
 * @param maintenanceBy     who turned maintenance on ({@code sluice-agent drain on HOST}), or null
 * @param maintenanceReason the reason given ({@code --reason}), or null
 * @param maintenanceSince  when, in epoch milliseconds, or null
 */
public record InstancePayload(int weight, boolean maintenance, String maintenanceBy, String maintenanceReason,
                              Long maintenanceSince) {

    /** A payload without a maintenance note (what agents before the note wrote). */
    public InstancePayload(int weight, boolean maintenance) {
        this(weight, maintenance, null, null, null);
    }

    /** The weight of an instance that says nothing. */
    public static final int DEFAULT_WEIGHT = 100;

    /** A payload with the default weight, not in maintenance. */
    public static InstancePayload defaults() {
        return new InstancePayload(DEFAULT_WEIGHT, false);
    }

    /** This payload with {@code maintenance} set and no note (the running agent's own changes). */
    public InstancePayload withMaintenance(boolean newMaintenance) {
        return new InstancePayload(weight, newMaintenance);
    }

    /** Maintenance on, with who set it, why and when (null note fields: not known). */
    public InstancePayload withMaintenance(String by, String reason, Long sinceMillis) {
        return new InstancePayload(weight, true, by, reason, sinceMillis);
    }
}
