package io.sluice.registry.consul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.KeyValueClient;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.kiwiproject.consul.option.DeleteOptions;
import org.kiwiproject.consul.util.Jackson;

/**
 * Why {@link ConsulClient} exists instead of kiwiproject consul-client 1.8.x (the orbitz lineage),
 * measured on the same bytes {@link HealthResponseTest} reads. If a later consul-client makes one of
 * these fail, the choice is worth revisiting (docs/discovery.md, "Registry clients").
 */
class ConsulClientLibraryFindingTest {

    /** The ObjectMapper consul-client's Retrofit converter uses for every answer. */
    private static final ObjectMapper CONSUL_CLIENT_MAPPER = Jackson.MAPPER;

    @Test
    void consulClientRejectsTheWholeHealthAnswerForOneNodeWithOnlyALanTaggedAddress() throws Exception {
        String answer = HealthResponseTest.realConsulAnswer().toString();

        ValueInstantiationException e = assertThrows(ValueInstantiationException.class,
                () -> CONSUL_CLIENT_MAPPER.readValue(answer, new TypeReference<List<ServiceHealth>>() { }));

        assertTrue(e.getMessage().contains("Cannot build TaggedAddresses, some of required attributes are not set [wan]"),
                e.getMessage());
        // The same bytes, read by our client: all three instances.
        assertEquals(3, HealthResponse.parse(HealthResponseTest.realConsulAnswer()).entries().size());
    }

    @Test
    void consulClientOffersNoObjectMapperOfItsOwnOnlyAProcessWideStaticOne() {
        // No builder hook to configure the mapper: working around the strict type means mutating
        // Jackson.MAPPER (a public static field) for the whole JVM before its first use.
        assertTrue(Arrays.stream(Consul.Builder.class.getMethods())
                .noneMatch(m -> m.getParameterCount() == 1 && m.getParameterTypes()[0] == ObjectMapper.class));
    }

    @Test
    void consulClientDropsTheAnswerOfACheckAndSetDelete() throws Exception {
        // Consul answers DELETE ?cas= with true or false; the override store needs it to know whether it
        // removed the override or lost to another writer.
        Method delete = KeyValueClient.class.getMethod("deleteKey", String.class, DeleteOptions.class);
        assertEquals(void.class, delete.getReturnType());
    }
}
