package io.sluice.discovery.zookeeper;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * TEST ONLY: the daemon's payload class before lb-common, kept verbatim (same name, package and
 * annotations) so that {@code io.sluice.registration.InstanceCodecTest} can run the old reader, Curator's
 * {@code JsonInstanceSerializer<InstancePayload>}, on what the new codec writes.
 *
 * <p>The payload of a Sluice instance in ZooKeeper: its weight and whether it is in maintenance.
 * Serialized by Curator's {@code JsonInstanceSerializer} inside the instance's JSON, tagged with this
 * class's name ({@code "@class"}), so the name and package are part of the wire format: keep them.
 * Missing fields take their defaults and unknown fields are ignored, so old and new agents mix.
 *
 * @param weight      0..1000 (out-of-range values are clamped by the discovery side); default 100
 * @param maintenance true: the daemon drains the instance (existing connections stay)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record InstancePayload(int weight, boolean maintenance) {

    /** The weight of an instance that says nothing. */
    public static final int DEFAULT_WEIGHT = 100;

    /** A payload with the default weight, not in maintenance. */
    public static InstancePayload defaults() {
        return new InstancePayload(DEFAULT_WEIGHT, false);
    }

    @JsonCreator
    static InstancePayload fromJson(
            @JsonProperty("weight") Integer weight, @JsonProperty("maintenance") Boolean maintenance) {
        return new InstancePayload(
                weight == null ? DEFAULT_WEIGHT : weight, maintenance != null && maintenance);
    }

    /** This payload with {@code maintenance} set. */
    public InstancePayload withMaintenance(boolean newMaintenance) {
        return new InstancePayload(weight, newMaintenance);
    }
}
