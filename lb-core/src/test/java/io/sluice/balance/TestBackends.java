package io.sluice.balance;

import io.sluice.backend.Backend;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds backends for balancer tests. */
final class TestBackends {

    private TestBackends() {
    }

    static Backend backend(String name, int weight) {
        return new Backend(name, InetSocketAddress.createUnresolved("10.0.0.1", 8080), weight);
    }

    /** {@code "name:weight"} specs, e.g. {@code of("a:5", "b:1")}. */
    static List<Backend> of(String... specs) {
        List<Backend> out = new ArrayList<>();
        for (String spec : specs) {
            String[] parts = spec.split(":");
            out.add(backend(parts[0], Integer.parseInt(parts[1])));
        }
        return out;
    }

    /** {@code n} backends of equal weight, named like real host:port targets. */
    static List<Backend> equal(int n, int weight) {
        List<Backend> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(backend("10.1.0." + (i + 1) + ":8080", weight));
        }
        return out;
    }

    static Map<String, Integer> count(Balancer balancer, int picks, Collection<Backend> excluded) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            Backend b = balancer.pick(KeyHash.of(Integer.toString(i), 7), excluded);
            counts.merge(b == null ? "null" : b.name(), 1, Integer::sum);
        }
        return counts;
    }
}
