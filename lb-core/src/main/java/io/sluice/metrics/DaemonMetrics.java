package io.sluice.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.pool.Pool;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The daemon's meter registry in Prometheus format, with the process-level meters (JVM, GC,
 * threads, file descriptors, Netty direct memory, event-loop pending tasks) and the gauges of
 * pools and backends, which follow the pools across reloads.
 *
 * <p>Gauges read live values at scrape time (no work on the data path). Tag values are config
 * names only.
 */
public final class DaemonMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Supplier<Map<String, Pool>> pools;
    private final Set<Meter.Id> poolGauges = new HashSet<>();
    private JvmGcMetrics gc;

    public DaemonMetrics(Supplier<Map<String, Pool>> pools) {
        this.pools = pools;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** JVM, process and Netty meters. */
    public void bindProcessMetrics(EventLoopGroup workers) {
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        Gauge.builder("sluice.netty.direct.memory.used", () -> PlatformDependent.usedDirectMemory())
                .description("Direct memory Netty has allocated (bytes; -1 if not tracked)")
                .baseUnit("bytes").register(registry);
        // The name says "pooled" for the dashboards and runbooks that know it; it reads the allocator
        // the channels really use, which in Netty 4.2 is the adaptive one by default, not the
        // pooled one (that one would read 0 for ever).
        ByteBufAllocatorMetric inUse = allocatorMetric(ByteBufAllocator.DEFAULT);
        Gauge.builder("sluice.netty.pooled.direct.memory.used", inUse, ByteBufAllocatorMetric::usedDirectMemory)
                .description("Direct memory used by Netty's buffer allocator in use ("
                        + ByteBufAllocator.DEFAULT.getClass().getSimpleName() + ")")
                .baseUnit("bytes").register(registry);
        int i = 0;
        for (EventExecutor loop : workers) {
            if (loop instanceof SingleThreadEventExecutor st) {
                Gauge.builder("sluice.event.loop.pending.tasks", st, SingleThreadEventExecutor::pendingTasks)
                        .description("Tasks waiting on an event loop; a growing value means a slow loop")
                        .tag("loop", String.valueOf(i++)).register(registry);
            }
        }
    }

    /** The metric of {@code allocator}; the pooled allocator's when it has none (an unpooled one). */
    private static ByteBufAllocatorMetric allocatorMetric(ByteBufAllocator allocator) {
        return allocator instanceof ByteBufAllocatorMetricProvider p ? p.metric() : PooledByteBufAllocator.DEFAULT.metric();
    }

    /** Open connections per listener, read from {@code open} at scrape time. */
    public void trackListeners(Collection<String> listeners, OpenConnections open) {
        for (String l : listeners) {
            if (registry.find("sluice.listener.active.connections").tag("listener", l).gauge() == null) {
                Gauge.builder("sluice.listener.active.connections", () -> open.size(l))
                        .description("Open client connections of the listener").tag("listener", l)
                        .strongReference(true).register(registry);
            }
        }
    }

    /** (Re-)registers the gauges of every pool and backend; removes those of pools/backends gone. Control thread. */
    public synchronized void trackPools() {
        Set<Meter.Id> wanted = new HashSet<>();
        for (Pool pool : pools.get().values()) {
            String p = pool.name();
            wanted.add(gauge("sluice.pool.eligible.backends", "Backends taking new connections",
                    () -> current(p) == null ? Double.NaN : current(p).eligibleBackends().size(), "pool", p));
            wanted.add(gauge("sluice.pool.maglev.generation", "Snapshot generation of the pool",
                    () -> current(p) == null ? Double.NaN : current(p).generation(), "pool", p));
            for (Backend b : pool.backends()) {
                String n = b.name();
                wanted.add(gauge("sluice.backend.active.connections", "Open connections to the backend",
                        () -> state(p, n, Backend::activeConnections), "pool", p, "backend", n));
                wanted.add(gauge("sluice.backend.up", "1 when the health state is UP",
                        () -> state(p, n, x -> x.state().up() ? 1 : 0), "pool", p, "backend", n));
                wanted.add(gauge("sluice.backend.ready", "1 when the admin state is READY (not DRAIN or MAINT)",
                        () -> state(p, n, x -> x.state().admin() == AdminState.READY ? 1 : 0),
                        "pool", p, "backend", n));
                wanted.add(gauge("sluice.backend.effective.weight", "Weight balancers use now (0: not eligible)",
                        () -> effectiveWeight(p, n), "pool", p, "backend", n));
            }
        }
        for (Meter.Id id : poolGauges) {
            if (!wanted.contains(id)) {
                registry.remove(id);
            }
        }
        poolGauges.clear();
        poolGauges.addAll(wanted);
    }

    private Meter.Id gauge(String name, String description, Supplier<Number> value, String... tags) {
        // Gauges look pools and backends up by name at scrape time, so one registration serves
        // across reloads; registering again would only make Micrometer warn.
        Gauge existing = registry.find(name).tags(tags).gauge();
        if (existing != null) {
            return existing.getId();
        }
        return Gauge.builder(name, value).description(description).tags(tags).strongReference(true)
                .register(registry).getId();
    }

    private Pool current(String pool) {
        return pools.get().get(pool);
    }

    private double state(String pool, String backend, ToDoubleFunction<Backend> f) {
        Pool p = current(pool);
        Backend b = p == null ? null : p.backend(backend);
        return b == null ? Double.NaN : f.applyAsDouble(b);
    }

    private double effectiveWeight(String pool, String backend) {
        Pool p = current(pool);
        if (p == null) {
            return Double.NaN;
        }
        for (Backend b : p.eligibleBackends()) {
            if (b.name().equals(backend)) {
                return b.weight();
            }
        }
        return 0;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public void close() {
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
