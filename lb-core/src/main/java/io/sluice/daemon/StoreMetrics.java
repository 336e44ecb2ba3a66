package io.sluice.daemon;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.state.OverrideStore;
import io.sluice.state.StoreStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * The override store's meters (docs/metrics.md): reachability, changes queued for it, the age of
 * the oldest, and changes lost to another node's write. Read from {@link OverrideStore#status} at
 * scrape time; tagged with the store's kind only.
 */
final class StoreMetrics {

    private StoreMetrics() {}

    static void bind(MeterRegistry registry, OverrideStore store) {
        String kind = store.status().store();
        Gauge.builder("sluice.state.store.reachable", store, s -> s.status().reachable() ? 1 : 0)
                .description("1 while the override store answers (always 1 for a local state file)")
                .tag("store", kind).register(registry);
        Gauge.builder("sluice.state.store.queued.changes", store, s -> s.status().queued().size())
                .description("Admin changes applied on this node and not yet in the shared store")
                .tag("store", kind).register(registry);
        Gauge.builder("sluice.state.store.oldest.queued", store, StoreMetrics::oldestQueuedSeconds)
                .description("Age of the oldest admin change waiting for the shared store (0: none)")
                .baseUnit("seconds").tag("store", kind).register(registry);
        FunctionCounter.builder("sluice.state.store.lost.changes", store, s -> s.status().lostTotal())
                .description("Admin changes made on this node that another node's later write replaced")
                .tag("store", kind).register(registry);
    }

    private static double oldestQueuedSeconds(OverrideStore store) {
        StoreStatus s = store.status();
        if (s.queued().isEmpty()) {
            return 0;
        }
        return Duration.between(s.queued().get(0).queuedAt(), Instant.now()).toMillis() / 1000.0;
    }
}
