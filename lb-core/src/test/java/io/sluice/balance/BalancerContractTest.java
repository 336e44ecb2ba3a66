package io.sluice.balance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.backend.Backend;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every balancer promises, whatever its algorithm. */
class BalancerContractTest {

    static Stream<Arguments> factories() {
        return Stream.of(
                Arguments.of("roundRobin", (Function<List<Backend>, Balancer>) Balancer::roundRobin),
                Arguments.of("leastConnections", (Function<List<Backend>, Balancer>) Balancer::leastConnections),
                Arguments.of("maglev", (Function<List<Backend>, Balancer>) bs -> Balancer.maglev(bs, 65537)),
                Arguments.of("randomTwo", (Function<List<Backend>, Balancer>) Balancer::randomTwo));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void weightZeroIsNeverPicked(String name, Function<List<Backend>, Balancer> factory) {
        List<Backend> bs = TestBackends.of("drain:0", "a:1", "b:0", "c:2");
        Balancer balancer = factory.apply(bs);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3_000; i++) {
            Backend picked = balancer.pick(KeyHash.of("client-" + i, 0), List.of());
            assertNotNull(picked);
            picked.connectionOpened();   // so least-connections spreads too
            counts.merge(picked.name(), 1, Integer::sum);
        }
        assertFalse(counts.containsKey("drain"), counts.toString());
        assertFalse(counts.containsKey("b"), counts.toString());
        assertTrue(counts.containsKey("a") && counts.containsKey("c"), counts.toString());
        // Exclusions leave only weight-0 backends: nothing to pick.
        assertNull(factory.apply(bs).pick(1, Set.of(bs.get(1), bs.get(3))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void emptyOrAllZeroSetPicksNull(String name, Function<List<Backend>, Balancer> factory) {
        assertNull(factory.apply(List.of()).pick(42, List.of()));
        assertNull(factory.apply(TestBackends.of("x:0", "y:0")).pick(42, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void excludedNeverReturnedWhileAnotherRemains(String name, Function<List<Backend>, Balancer> factory) {
        List<Backend> bs = TestBackends.equal(5, 1);
        Balancer b = factory.apply(bs);
        Set<Backend> excluded = Set.of(bs.get(0), bs.get(2), bs.get(4));
        for (int i = 0; i < 2_000; i++) {
            Backend picked = b.pick(KeyHash.of("k" + i, 0), excluded);
            assertNotNull(picked);
            assertFalse(excluded.contains(picked));
        }
        assertNull(b.pick(7, bs));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void duplicateNamesAreRejected(String name, Function<List<Backend>, Balancer> factory) {
        assertThrows(IllegalArgumentException.class, () -> factory.apply(TestBackends.of("a:1", "b:1", "a:2")));
    }
}
