package io.sluice.direct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.DirectListenerConfig;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel's numbers as meters: the named nft counters (packets and bytes per listener and
 * backend, and packets dropped for want of a backend), the flows in each flow map, and how many
 * transactions applied or failed. Values are read on the direct thread ({@link #refresh}) and kept;
 * the meters only return the last values read, so a scrape never runs {@code nft}.
 *
 * <p>Tag values are config names only (listener and backend names).
 */
final class DirectMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MeterRegistry registry;
    /** "listener/backend" ("listener/": dropped) to {packets, bytes}. */
    private final Map<String, AtomicLong[]> counters = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> flows = new ConcurrentHashMap<>();

    DirectMetrics(MeterRegistry registry, DirectPlane plane) {
        this.registry = registry;
        FunctionCounter.builder("sluice.direct.transactions", plane, p -> p.transactions())
                .description("nft transactions applied (one per change of a direct listener's table)").register(registry);
        FunctionCounter.builder("sluice.direct.transaction.failures", plane, p -> p.failures())
                .description("nft transactions refused (the previous ruleset stayed)").register(registry);
    }

    /** Direct thread: reads the table's counters and the flow maps' sizes, for the plan applied last. */
    void refresh(SystemCommand nft, FlowMaps flowMaps, DirectPlan plan) {
        Map<String, String[]> byCounter = new HashMap<>(); // nft counter name -> {listener, backend}
        for (ServicePlan s : plan.services()) {
            DirectListenerConfig l = s.listener();
            byCounter.put(NftScript.counterName(l, null), new String[] {l.name(), null});
            s.backends().forEach(b -> byCounter.put(NftScript.counterName(l, b.name()), new String[] {l.name(), b.name()}));
            AtomicLong n = flows.computeIfAbsent(l.name(), name -> {
                AtomicLong v = new AtomicLong();
                Gauge.builder("sluice.direct.flows", v, AtomicLong::get).tag("listener", name)
                        .description("flows in the listener's flow map (the kernel's; expired ones may linger until swept)")
                        .register(registry);
                return v;
            });
            n.set(flowMaps.count(plan.table(), NftScript.flowMapName(l)));
        }
        try {
            String out = nft.run(List.of("nft", "-j", "list", "counters", "table", "ip", plan.table()), null);
            for (JsonNode item : JSON.readTree(out).path("nftables")) {
                JsonNode c = item.path("counter");
                String[] owner = byCounter.get(c.path("name").asText());
                if (owner != null) {
                    AtomicLong[] v = counter(owner[0], owner[1]);
                    v[0].set(c.path("packets").asLong());
                    v[1].set(c.path("bytes").asLong());
                }
            }
        } catch (SystemCommand.Failed | IOException e) {
            // the next refresh tries again; the meters keep their last values
        }
    }

    /** The values behind one counter's meters ({@code backend} null: the dropped-packets counter). */
    private AtomicLong[] counter(String listener, String backend) {
        return counters.computeIfAbsent(listener + "/" + (backend == null ? "" : backend), key -> {
            AtomicLong[] v = {new AtomicLong(), new AtomicLong()};
            if (backend == null) {
                FunctionCounter.builder("sluice.direct.dropped.packets", v[0], AtomicLong::get).tag("listener", listener)
                        .description("packets to a direct listener dropped because its pool had no eligible backend")
                        .register(registry);
            } else {
                FunctionCounter.builder("sluice.direct.backend.packets", v[0], AtomicLong::get)
                        .tags("listener", listener, "backend", backend)
                        .description("client-to-backend packets the kernel forwarded to this backend").register(registry);
                FunctionCounter.builder("sluice.direct.backend.bytes", v[1], AtomicLong::get)
                        .tags("listener", listener, "backend", backend)
                        .description("bytes of those packets (replies bypass the balancer and are not counted)")
                        .register(registry);
            }
            return v;
        });
    }
}
