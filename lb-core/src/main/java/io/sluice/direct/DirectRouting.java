package io.sluice.direct;

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
    private volatile DirectPlane plane;

    private DirectRouting(Supplier<Map<String, Pool>> pools, DirectPlane plane) {
        this.pools = pools;
        this.plane = plane;
    }

    /**
     * @param config the {@code direct} section, or null (none)
     * @throws DirectPlane.StartFailed when the section is there and direct routing cannot start
     */
    public static DirectRouting start(DirectConfig config, Supplier<Map<String, Pool>> pools)
            throws DirectPlane.StartFailed {
        return new DirectRouting(pools, config == null ? null : DirectPlane.start(config, pools));
    }

    /** Applies a reloaded section (null: none, and the table is removed); returns what could not be applied. */
    public synchronized List<String> reload(DirectConfig next) {
        DirectPlane current = plane;
        if (current == null && next == null) {
            return List.of();
        }
        if (current == null) {
            try {
                plane = DirectPlane.start(next, pools);
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
