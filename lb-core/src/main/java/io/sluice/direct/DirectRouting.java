package io.sluice.direct;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.DirectConfig;
import io.sluice.pool.Pool;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The daemon's one hook into direct routing: start with the config, follow reloads (the section may
 * appear or go away), stop. Without a {@code direct} section it does nothing and needs nothing.
 *
 * <p>Called from the daemon's main and control threads; the work runs on the {@link DirectPlane}'s own
 * thread.
 */
public final class DirectRouting implements AutoCloseable {

    private final Supplier<Map<String, Pool>> pools;
    private final MeterRegistry registry;
    private volatile DirectPlane plane;

    private DirectRouting(Supplier<Map<String, Pool>> pools, MeterRegistry registry, DirectPlane plane) {
        this.pools = pools;
        this.registry = registry;
        this.plane = plane;
    }

    /**
     * @param config   the {@code direct} section, or null (none)
     * @param registry where the kernel's counters are exported
     * @throws DirectPlane.StartFailed when the section is there and direct routing cannot start
     */
    public static DirectRouting start(DirectConfig config, Supplier<Map<String, Pool>> pools, MeterRegistry registry)
            throws DirectPlane.StartFailed {
        return new DirectRouting(pools, registry, config == null ? null : DirectPlane.start(config, pools, registry));
    }

    /** Applies a reloaded section (null: none, and the table is removed); returns what could not be applied. */
    public synchronized List<String> reload(DirectConfig next) {
        DirectPlane current = plane;
        if (current == null && next == null) {
            return List.of();
        }
        if (current == null) {
            try {
                plane = DirectPlane.start(next, pools, registry);
                return List.of();
            } catch (DirectPlane.StartFailed e) {
                return List.of(e.getMessage());
            }
        }
        if (next == null) {
            plane = null;
            current.close(true);
            return List.of();
        }
        return current.reconfigure(next);
    }

    /** The running plane, or null without direct listeners. */
    public DirectPlane plane() {
        return plane;
    }

    /** Graceful stop: the table stays unless {@code remove-table-on-stop}. */
    @Override
    public synchronized void close() {
        DirectPlane current = plane;
        if (current != null) {
            current.close(false);
        }
    }
}
