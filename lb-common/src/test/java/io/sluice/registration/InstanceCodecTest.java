package io.sluice.registration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.junit.jupiter.api.Test;

/**
 * The ZooKeeper payload across versions, with real bytes both ways. The two resources were written by
 * the serializers before lb-common (the daemon's Curator {@code JsonInstanceSerializer<InstancePayload>}
 * and the agent's hand-written one) for one instance, and are kept verbatim. The old reader is run for
 * real: Curator's serializer over the old payload class, kept in this test tree under its old name.
 */
class InstanceCodecTest {

    private static final String OLD_DAEMON = "instance-before-lb-common-daemon.json";
    private static final String OLD_AGENT = "instance-before-lb-common-agent.json";

    private final InstanceCodec codec = new InstanceCodec();

    /** What daemons before lb-common read with: Curator's serializer and the class the tag names. */
    private final JsonInstanceSerializer<io.sluice.discovery.zookeeper.InstancePayload> oldReader =
            new JsonInstanceSerializer<>(io.sluice.discovery.zookeeper.InstancePayload.class);

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = InstanceCodecTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** The instance both captured resources describe. */
    private static ServiceInstance<InstancePayload> chat() throws Exception {
        return ServiceInstance.<InstancePayload>builder().name("chat").id("chat-app-3-8443").address("10.0.0.13")
                .port(8443).payload(new InstancePayload(40, true)).registrationTimeUTC(1765080000000L)
                .serviceType(ServiceType.DYNAMIC).build();
    }

    @Test
    void theOldFormatIsRead() throws Exception {
        for (String name : new String[] {OLD_DAEMON, OLD_AGENT}) {
            ServiceInstance<InstancePayload> read = codec.deserialize(resource(name));
            assertEquals("chat", read.getName(), name);
            assertEquals("chat-app-3-8443", read.getId(), name);
            assertEquals("10.0.0.13", read.getAddress(), name);
            assertEquals(8443, read.getPort(), name);
            assertNull(read.getSslPort(), name);
            assertEquals(1765080000000L, read.getRegistrationTimeUTC(), name);
            assertEquals(ServiceType.DYNAMIC, read.getServiceType(), name);
            assertEquals(new InstancePayload(40, true), read.getPayload(), name);
        }
    }

    @Test
    void theNewWriterWritesTheOldBytes() throws Exception {
        byte[] written = codec.serialize(chat());
        assertArrayEquals(resource(OLD_DAEMON), written, new String(written, StandardCharsets.UTF_8));
        assertArrayEquals(resource(OLD_AGENT), written);
    }

    @Test
    void theOldReaderReadsTheNewFormat() throws Exception {
        ServiceInstance<io.sluice.discovery.zookeeper.InstancePayload> read = oldReader.deserialize(codec.serialize(chat()));
        assertEquals("chat-app-3-8443", read.getId());
        assertEquals(8443, read.getPort());
        assertEquals(40, read.getPayload().weight());
        assertTrue(read.getPayload().maintenance());

        ServiceInstance<InstancePayload> noPayload = ServiceInstance.<InstancePayload>builder().name("chat").id("bare")
                .address("10.0.0.14").port(1).registrationTimeUTC(1).build();
        assertNull(oldReader.deserialize(codec.serialize(noPayload)).getPayload());
    }

    /**
     * Why the writer keeps the tag: without it the old reader fails the whole instance, so an old daemon
     * would lose the backend. This pins the reason; when it stops holding, the tag can go.
     */
    @Test
    void theOldReaderCannotReadAPayloadWithoutTheTag() throws Exception {
        String untagged = new String(codec.serialize(chat()), StandardCharsets.UTF_8)
                .replace("\"@class\":\"" + InstanceCodec.LEGACY_PAYLOAD_TAG + "\",", "");
        assertFalse(untagged.contains("@class"), untagged);
        assertThrows(ClassCastException.class, () -> oldReader.deserialize(untagged.getBytes(StandardCharsets.UTF_8)));
        // The new reader does not care: a later writer may drop the tag.
        assertEquals(new InstancePayload(40, true), codec.deserialize(untagged.getBytes(StandardCharsets.UTF_8)).getPayload());
    }

    @Test
    void theTagIsNeverResolvedToAClass() throws Exception {
        String elsewhere = new String(resource(OLD_DAEMON), StandardCharsets.UTF_8)
                .replace(InstanceCodec.LEGACY_PAYLOAD_TAG, "java.lang.ProcessBuilder");
        assertEquals(new InstancePayload(40, true), codec.deserialize(elsewhere.getBytes(StandardCharsets.UTF_8)).getPayload());
    }

    @Test
    void missingPayloadFieldsTakeTheirDefaultsAndUnknownOnesAreIgnored() throws Exception {
        String json = "{\"name\":\"chat\",\"id\":\"a\",\"address\":\"10.0.0.1\",\"port\":1,"
                + "\"payload\":{\"zone\":\"b\"},\"serviceType\":\"DYNAMIC\",\"enabled\":true}";
        assertEquals(InstancePayload.defaults(), codec.deserialize(json.getBytes(StandardCharsets.UTF_8)).getPayload());
        String noPayload = "{\"name\":\"chat\",\"id\":\"a\",\"address\":\"10.0.0.1\",\"port\":1}";
        assertNull(codec.deserialize(noPayload.getBytes(StandardCharsets.UTF_8)).getPayload());
    }

    @Test
    void badBytesAreAnIoExceptionWithAReason() {
        String base = "{\"name\":\"chat\",\"id\":\"a\",\"address\":\"10.0.0.1\",\"port\":1,\"payload\":";
        assertEquals("payload.weight: expected an integer, found \"heavy\"", assertThrows(IOException.class,
                () -> codec.deserialize((base + "{\"weight\":\"heavy\"}}").getBytes(StandardCharsets.UTF_8))).getMessage());
        assertEquals("payload.weight: expected an integer, found 99999999999999999999", assertThrows(IOException.class,
                () -> codec.deserialize((base + "{\"weight\":99999999999999999999}}").getBytes(StandardCharsets.UTF_8)))
                .getMessage());
        assertEquals("payload.maintenance: expected true or false, found \"yes\"", assertThrows(IOException.class,
                () -> codec.deserialize((base + "{\"maintenance\":\"yes\"}}").getBytes(StandardCharsets.UTF_8))).getMessage());
        assertEquals("payload: expected an object, found ARRAY", assertThrows(IOException.class,
                () -> codec.deserialize((base + "[]}").getBytes(StandardCharsets.UTF_8))).getMessage());
        assertEquals("not a service instance: expected a JSON object", assertThrows(IOException.class,
                () -> codec.deserialize("[1]".getBytes(StandardCharsets.UTF_8))).getMessage());
        assertThrows(IOException.class, () -> codec.deserialize("{\"name\":".getBytes(StandardCharsets.UTF_8)));
    }
}
