package io.sluice.direct;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.DirectConfig;
import io.sluice.pool.Pool;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The daemon's one part for direct routing: started with the config, told of reloads (the section
 * may appear or go away), closed at stop. Without a {@code direct} section it does nothing and needs
 * nothing (no nft, no privileges).
 *
 * <p>Called from the daemon's main thread (start, stop) and the reload caller; the work runs on the
 * {@link DirectPlane}'s own thread. Methods are synchronized so a reload and a stop do not interleave.
 */
public final class DirectRouting implements AutoCloseable {

    private final Supplier<Map<String, Pool>> pools;
    private final MeterRegistry registry;
    private volatile DirectPlane plane;

    /**
     * @param pools    the daemon's current pools (read on the direct thread)
     * @param registry where the kernel's counters are exported
     */
    public DirectRouting(Supplier<Map<String, Pool>> pools, MeterRegistry registry) {
        this.pools = pools;
        this.registry = registry;
    }

    /**
     * Starts direct routing for {@code config} (null: nothing to do).
     *
     * @throws DirectPlane.StartFailed when the section is there and the machine cannot do it
     */
    public synchronized void start(DirectConfig config) throws DirectPlane.StartFailed {
        if (config != null && plane == null) {
            plane = DirectPlane.start(config, pools, registry);
        }
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

    /** Graceful stop: the table stays unless {@code remove-table-on-stop}. Safe twice. */
    @Override
    public synchronized void close() {
        DirectPlane current = plane;
        if (current != null) {
            current.close(false);
        }
    }
}
