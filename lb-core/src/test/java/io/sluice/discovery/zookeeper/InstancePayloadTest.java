package io.sluice.discovery.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.junit.jupiter.api.Test;

class InstancePayloadTest {

    private final JsonInstanceSerializer<InstancePayload> serializer = new JsonInstanceSerializer<>(InstancePayload.class);

    @Test
    void roundTripsThroughCuratorsSerializer() throws Exception {
        ServiceInstance<InstancePayload> in = ServiceInstance.<InstancePayload>builder()
                .name("web").id("a").address("10.0.0.1").port(80).payload(new InstancePayload(7, true)).build();
        assertEquals(new InstancePayload(7, true), serializer.deserialize(serializer.serialize(in)).getPayload());
    }

    @Test
    void missingFieldsTakeDefaultsAndUnknownOnesAreIgnored() throws Exception {
        String json = "{\"name\":\"web\",\"id\":\"a\",\"address\":\"10.0.0.1\",\"port\":80,"
                + "\"payload\":{\"@class\":\"io.sluice.discovery.zookeeper.InstancePayload\",\"zone\":\"b\"},"
                + "\"serviceType\":\"DYNAMIC\"}";
        assertEquals(InstancePayload.defaults(), serializer.deserialize(json.getBytes()).getPayload());
    }
}
