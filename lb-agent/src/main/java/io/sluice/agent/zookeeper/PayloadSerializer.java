package io.sluice.agent.zookeeper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceInstanceBuilder;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.InstanceSerializer;

/**
 * Writes an instance exactly as the daemon's {@code JsonInstanceSerializer<InstancePayload>} (Curator
 * 5, compatible mode, its default) writes and reads it:
 * <pre>{"name":..,"id":..,"address":..,"port":..,"sslPort":null,
 *  "payload":{"@class":"io.sluice.discovery.zookeeper.InstancePayload","weight":100,"maintenance":false},
 *  "registrationTimeUTC":..,"serviceType":"DYNAMIC","uriSpec":null}</pre>
 * Curator tags the payload with its Java class name ({@code @JsonTypeInfo(use = CLASS)}), so the
 * daemon's class name is part of the wire format. Writing it here, rather than depending on lb-core
 * for one record, keeps Netty out of the agent; a test decodes our bytes with lb-core's discovery.
 */
public final class PayloadSerializer implements InstanceSerializer<AgentPayload> {

    /** The daemon's payload class: the {@code @class} tag its deserializer insists on. */
    public static final String DAEMON_PAYLOAD_CLASS = "io.sluice.discovery.zookeeper.InstancePayload";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] serialize(ServiceInstance<AgentPayload> instance) throws Exception {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", instance.getName());
        o.put("id", instance.getId());
        o.put("address", instance.getAddress());
        putInt(o, "port", instance.getPort());
        putInt(o, "sslPort", instance.getSslPort());
        AgentPayload p = instance.getPayload();
        if (p == null) {
            o.putNull("payload");
        } else {
            ObjectNode payload = o.putObject("payload");
            payload.put("@class", DAEMON_PAYLOAD_CLASS);
            payload.put("weight", p.weight());
            payload.put("maintenance", p.maintenance());
        }
        o.put("registrationTimeUTC", instance.getRegistrationTimeUTC());
        o.put("serviceType", instance.getServiceType() == null ? null : instance.getServiceType().name());
        if (instance.getUriSpec() == null) {
            o.putNull("uriSpec");
        } else {
            o.set("uriSpec", JSON.valueToTree(instance.getUriSpec()));
        }
        return JSON.writeValueAsBytes(o);
    }

    @Override
    public ServiceInstance<AgentPayload> deserialize(byte[] bytes) throws Exception {
        JsonNode o = JSON.readTree(bytes);
        ServiceInstanceBuilder<AgentPayload> b = ServiceInstance.<AgentPayload>builder()
                .name(o.path("name").asText(null))
                .id(o.path("id").asText(null))
                .address(o.path("address").asText(null))
                .registrationTimeUTC(o.path("registrationTimeUTC").asLong(0))
                .serviceType(ServiceType.valueOf(o.path("serviceType").asText("DYNAMIC")));
        if (o.path("port").isNumber()) {
            b.port(o.get("port").asInt());
        }
        if (o.path("sslPort").isNumber()) {
            b.sslPort(o.get("sslPort").asInt());
        }
        if (o.path("uriSpec").isObject()) {
            b.uriSpec(JSON.treeToValue(o.get("uriSpec"), UriSpec.class));
        }
        JsonNode p = o.path("payload");
        if (p.isObject()) {
            b.payload(new AgentPayload(p.path("weight").asInt(100), p.path("maintenance").asBoolean(false)));
        }
        return b.build();
    }

    private static void putInt(ObjectNode o, String field, Integer value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }
}
