package io.sluice.discovery;

/**
 * A watch on a registry for one pool's service. Implementations reconnect by themselves with capped
 * exponential backoff and jitter, and never block the caller of {@link #start}.
 */
public interface Discovery extends AutoCloseable {

    /** Starts watching; results go to {@code listener} from the source's own threads. */
    void start(DiscoveryListener listener);

    /** Stops watching and releases connections and threads; safe twice. */
    @Override
    void close();
}
