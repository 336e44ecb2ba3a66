package io.sluice.history;

import io.sluice.adminapi.HistoryView;
import io.sluice.backend.Backend;
import io.sluice.pool.Pool;
import io.sluice.proxy.ConnectionTracker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The last few minutes of every backend's traffic: every {@link #SAMPLE_SECONDS} the open
 * connections, connections ever made and bytes relayed (closed connections' counters plus what the
 * open ones carried so far, so a long-lived connection shows as throughput while it runs), kept in a
 * ring of {@link #CAPACITY} samples per backend. Rates are differences of two samples.
 *
 * <p>Threads: {@link #sample} runs on the daemon's control thread (scheduled, never on an event
 * loop: it walks every open connection); {@link #view} on the admin server's threads. Each ring is
 * guarded by its own lock, held only to copy a few hundred numbers.
 */
public final class TrafficHistory {

    /** Seconds between samples. */
    public static final int SAMPLE_SECONDS = 5;
    /** Samples kept per backend: six minutes. */
    public static final int CAPACITY = 72;

    private final Supplier<Map<String, Pool>> pools;
    private final ConnectionTracker tracker;
    private final Clock clock;
    /** By "pool/backend", in pool then backend order of the last sample. */
    private final Map<String, Ring> rings = new ConcurrentHashMap<>();
    private volatile List<String> order = List.of();

    public TrafficHistory(Supplier<Map<String, Pool>> pools, ConnectionTracker tracker, Clock clock) {
        this.pools = pools;
        this.tracker = tracker;
        this.clock = clock;
    }

    /** Control thread: one sample of every backend; rings of backends no longer there are dropped. */
    public void sample() {
        long at = clock.millis() / 1000;
        Map<String, Long> openBytes = openBytes();
        List<String> seen = new ArrayList<>();
        for (Pool p : pools.get().values()) {
            for (Backend b : p.backends()) {
                String key = p.name() + "/" + b.name();
                seen.add(key);
                long bytes = b.state().bytesUp() + b.state().bytesDown() + openBytes.getOrDefault(key, 0L);
                rings.computeIfAbsent(key, k -> new Ring(p.name(), b.name()))
                        .add(at, b.activeConnections(), b.totalConnections(), bytes);
            }
        }
        Set<String> keep = new HashSet<>(seen);
        rings.keySet().removeIf(k -> !keep.contains(k));
        order = List.copyOf(seen);
    }

    /**
     * What the open connections carried so far, by "pool/backend". Summed per pool and backend
     * object first, so the walk allocates nothing per connection: a key string per connection was
     * 1 MB of garbage every sample on a node holding 9000 idle chat connections (async-profiler,
     * docs/performance.md "Round 5"). Names are joined once per backend object; a pool replaced by
     * a reload still adds its old connections to the backend of the same name.
     */
    private Map<String, Long> openBytes() {
        Map<Pool, Map<Backend, long[]>> sums = new IdentityHashMap<>();
        tracker.forEach(c -> {
            Pool p = c.pool();
            Backend b = c.backend();
            if (p != null && b != null) {
                sums.computeIfAbsent(p, k -> new IdentityHashMap<>()).computeIfAbsent(b, k -> new long[1])[0] +=
                        c.bytesUp() + c.bytesDown();
            }
        });
        Map<String, Long> bytes = new HashMap<>();
        sums.forEach((p, perBackend) ->
                perBackend.forEach((b, sum) -> bytes.merge(p.name() + "/" + b.name(), sum[0], Long::sum)));
        return bytes;
    }

    /** Any thread: every backend's samples, oldest first. */
    public HistoryView view() {
        List<HistoryView.Series> series = new ArrayList<>();
        for (String key : order) {
            Ring r = rings.get(key);
            if (r != null) {
                series.add(r.series());
            }
        }
        return new HistoryView(SAMPLE_SECONDS, CAPACITY, series);
    }

    /** One backend's samples; one more than shown, so the oldest shown has a rate too. */
    private static final class Ring {
        private final String pool;
        private final String backend;
        private final long[] at = new long[CAPACITY + 1];
        private final int[] open = new int[CAPACITY + 1];
        private final long[] total = new long[CAPACITY + 1];
        private final long[] bytes = new long[CAPACITY + 1];
        private int next;
        private int size;

        Ring(String pool, String backend) {
            this.pool = pool;
            this.backend = backend;
        }

        synchronized void add(long atSecond, int openNow, long totalNow, long bytesNow) {
            at[next] = atSecond;
            open[next] = openNow;
            total[next] = totalNow;
            bytes[next] = bytesNow;
            next = (next + 1) % at.length;
            size = Math.min(size + 1, at.length);
        }

        synchronized HistoryView.Series series() {
            List<Long> times = new ArrayList<>();
            List<Integer> conns = new ArrayList<>();
            List<Double> connRate = new ArrayList<>();
            List<Double> byteRate = new ArrayList<>();
            int first = (next - size + at.length) % at.length;
            for (int i = 1; i < size; i++) {
                int cur = (first + i) % at.length;
                int prev = (first + i - 1) % at.length;
                double seconds = Math.max(1, at[cur] - at[prev]);
                times.add(at[cur]);
                conns.add(open[cur]);
                // Counters only grow; a connection closing between the two reads of a sample can make
                // the bytes dip for a moment, which must not show as a negative rate.
                connRate.add(Math.max(0, total[cur] - total[prev]) / seconds);
                byteRate.add(Math.max(0, bytes[cur] - bytes[prev]) / seconds);
            }
            return new HistoryView.Series(pool, backend, times, conns, connRate, byteRate);
        }
    }
}
