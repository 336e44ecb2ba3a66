package io.sluice.registration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceInstanceBuilder;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.InstanceSerializer;

/**
 * The one codec of a Sluice instance in ZooKeeper (Curator's service discovery recipe), for the agent
 * that writes it and the daemon that reads it. It replaces Curator's {@code JsonInstanceSerializer},
 * which resolves the payload's {@code "@class"} member to a Java class, so a class name of the daemon
 * was part of the wire format.
 *
 * <p>Reading never looks at {@code "@class"}: the payload is read by its fields ({@code weight},
 * default 100; {@code maintenance}, default false; unknown fields ignored), with or without the tag.
 * Writing keeps the tag, as a fixed string, because daemons before lb-common read with Curator's
 * serializer and cannot take a payload without it (they fail the whole instance with a
 * ClassCastException, so the backend would vanish from them). It can be dropped once no such daemon
 * runs; docs/discovery.md says more. Bytes written are the ones those daemons wrote themselves
 * (Curator's compatible mode: no {@code enabled} field).
 *
 * <p>Stateless and thread-safe; Curator calls it on its own threads.
 */
public final class InstanceCodec implements InstanceSerializer<InstancePayload> {

    /**
     * The {@code "@class"} value daemons before lb-common need to read a payload. Written, never read:
     * no reader of this codec turns it into a class.
     */
    public static final String LEGACY_PAYLOAD_TAG = legacyTag("io.sluice.discovery.zookeeper", "InstancePayload");

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Package and class name apart: this is text on the wire, not a dependency, and tools that read
     * qualified names in the source (package-cycle checks) should not take it for one.
     */
    private static String legacyTag(String oldPackage, String oldClass) {
        return oldPackage + "." + oldClass;
    }

    @Override
    public byte[] serialize(ServiceInstance<InstancePayload> instance) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", instance.getName());
        o.put("id", instance.getId());
        o.put("address", instance.getAddress());
        o.put("port", instance.getPort());
        o.put("sslPort", instance.getSslPort());
        InstancePayload p = instance.getPayload();
        if (p == null) {
            o.putNull("payload");
        } else {
            ObjectNode payload = o.putObject("payload").put("@class", LEGACY_PAYLOAD_TAG).put("weight", p.weight())
                    .put("maintenance", p.maintenance());
            // The note only when there is one: without it the bytes are those every version wrote
            // (old readers ignore unknown payload fields).
            if (p.maintenanceBy() != null) {
                payload.put("maintenanceBy", p.maintenanceBy());
            }
            if (p.maintenanceReason() != null) {
                payload.put("maintenanceReason", p.maintenanceReason());
            }
            if (p.maintenanceSince() != null) {
                payload.put("maintenanceSince", p.maintenanceSince());
            }
        }
        o.put("registrationTimeUTC", instance.getRegistrationTimeUTC());
        o.put("serviceType", instance.getServiceType() == null ? null : instance.getServiceType().name());
        o.set("uriSpec", instance.getUriSpec() == null ? o.nullNode() : JSON.valueToTree(instance.getUriSpec()));
        return JSON.writeValueAsBytes(o);
    }

    /** @throws IOException for bytes that are not an instance (Curator's cache then leaves the node out) */
    @Override
    public ServiceInstance<InstancePayload> deserialize(byte[] bytes) throws IOException {
        JsonNode o = JSON.readTree(bytes);
        if (o == null || !o.isObject()) {
            throw new IOException("not a service instance: expected a JSON object");
        }
        ServiceInstanceBuilder<InstancePayload> b;
        try {
            b = ServiceInstance.<InstancePayload>builder();
        } catch (Exception e) {
            // builder() only throws while looking up a local address for instances without one; ours set it.
            throw new IOException("cannot build a service instance: " + e, e);
        }
        b.name(text(o, "name")).id(text(o, "id")).address(text(o, "address"))
                .registrationTimeUTC(o.path("registrationTimeUTC").asLong(0))
                .serviceType(serviceType(o.path("serviceType").asText("DYNAMIC")));
        if (o.path("port").isInt()) {
            b.port(o.get("port").intValue());
        }
        if (o.path("sslPort").isInt()) {
            b.sslPort(o.get("sslPort").intValue());
        }
        if (o.path("uriSpec").isObject()) {
            b.uriSpec(JSON.treeToValue(o.get("uriSpec"), UriSpec.class));
        }
        b.payload(payload(o.path("payload")));
        return b.build();
    }

    /** The payload by its fields, the {@code "@class"} tag ignored; null when absent or JSON null. */
    static InstancePayload payload(JsonNode p) throws IOException {
        if (p.isMissingNode() || p.isNull()) {
            return null;
        }
        if (!p.isObject()) {
            throw new IOException("payload: expected an object, found " + p.getNodeType());
        }
        JsonNode weight = p.path("weight");
        JsonNode maintenance = p.path("maintenance");
        if (!weight.isMissingNode() && !weight.isNull() && !weight.canConvertToInt()) {
            throw new IOException("payload.weight: expected an integer, found " + weight);
        }
        if (!maintenance.isMissingNode() && !maintenance.isNull() && !maintenance.isBoolean()) {
            throw new IOException("payload.maintenance: expected true or false, found " + maintenance);
        }
        JsonNode since = p.path("maintenanceSince");
        return new InstancePayload(weight.isNumber() ? weight.intValue() : InstancePayload.DEFAULT_WEIGHT,
                maintenance.asBoolean(false), text(p, "maintenanceBy"), text(p, "maintenanceReason"),
                since.canConvertToLong() ? since.longValue() : null);
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static ServiceType serviceType(String name) throws IOException {
        try {
            return ServiceType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IOException("serviceType: unknown " + name);
        }
    }
}
