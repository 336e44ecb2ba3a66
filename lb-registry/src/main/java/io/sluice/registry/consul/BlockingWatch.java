package io.sluice.registry.consul;

import io.sluice.registry.Backoff;
import io.sluice.registry.DaemonThreadFactory;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one blocking-query loop (developer.hashicorp.com/consul/api-docs/features/blocking) behind every
 * Consul watch: Consul discovery of a pool and the Consul override store. It asks {@link Query} with the
 * last {@code X-Consul-Index}, hands every answer to the {@link Listener}, and on failure keeps the
 * listener's last state, retries with {@link Backoff} and starts over from index 0 (the agent may have
 * restarted with a lower index).
 *
 * <p>Threads: one daemon thread, named by the caller, runs the loop and calls the listener, in order.
 * {@link #close} interrupts it (cancelling the query in flight) and waits for it briefly.
 */
public final class BlockingWatch<T> implements AutoCloseable {

    /** One request: blocking when {@code index > 0}, else answered at once. */
    @FunctionalInterface
    public interface Query<T> {
        Indexed<T> fetch(long index) throws IOException, InterruptedException;
    }

    /** Called on the watch thread. */
    public interface Listener<T> {
        /** Every successful answer, the first one included (equal answers are not filtered here). */
        void answer(T value);

        /** Only on a change: false after the first failure (with its reason), true on the next success. */
        void reachability(boolean reachable, String reason);
    }

    private final String threadName;
    private final Query<T> query;
    private final Listener<T> listener;
    private final Backoff backoff;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread thread;

    public BlockingWatch(String threadName, Query<T> query, Listener<T> listener, Backoff backoff) {
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.query = Objects.requireNonNull(query, "query");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /**
     * Starts the watch thread and returns at once.
     *
     * @param index where to start: 0 asks at once; the index of an answer already in hand blocks until
     *              something changes after it
     */
    public void start(long index) {
        Thread t = new DaemonThreadFactory(threadName).newThread(() -> loop(index));
        thread = t;
        t.start();
    }

    /** Stops the loop and cancels the query in flight. Safe twice, and before {@link #start}. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Thread t = thread;
        if (t == null) {
            return;
        }
        t.interrupt();
        if (Thread.currentThread() != t) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop(long startIndex) {
        long index = startIndex;
        boolean reachable = true; // as the listener last heard it
        while (!closed.get()) {
            Indexed<T> answer;
            try {
                answer = query.fetch(index);
            } catch (InterruptedException e) {
                return; // close()
            } catch (IOException | RuntimeException e) {
                if (closed.get()) {
                    return;
                }
                index = 0;
                if (reachable) {
                    reachable = false;
                    listener.reachability(false, describe(e));
                }
                if (!sleep(backoff.nextDelayMillis())) {
                    return;
                }
                continue;
            }
            if (closed.get()) {
                return;
            }
            backoff.reset();
            if (!reachable) {
                reachable = true;
                listener.reachability(true, "reachable");
            }
            index = nextIndex(index, answer.index());
            listener.answer(answer.value());
        }
    }

    /**
     * Consul's rules for a blocking client: an index that goes backwards (a restored snapshot, a new
     * agent) means start over from 0; one that is not positive is used as 1.
     */
    public static long nextIndex(long previous, long returned) {
        if (returned <= 0) {
            return 1;
        }
        return returned < previous ? 0 : returned;
    }

    /** The root cause as {@code SimpleName: message}, for one log line. */
    public static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return !closed.get();
        } catch (InterruptedException e) {
            return false;
        }
    }
}
