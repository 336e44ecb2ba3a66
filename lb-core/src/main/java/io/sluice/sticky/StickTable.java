package io.sluice.sticky;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Remembers which backend each recently seen client key went to, on this node.
 *
 * <p>What it is for depends on the balancer (docs/balancing.md, "Stick tables and agreement between
 * nodes"). Round-robin, least-conn and random-two choose per node and per connection: the table keeps
 * a client on its last backend while that one is eligible. Maglev is already sticky per key and
 * the same on every node with the same table, so there the table never overrides it: it only
 * records where each client's connections went (for explain, {@code stick-table show}, and a
 * handover), since an override from this node's history would send a client elsewhere than a node
 * that never saw it. An entry is <em>pinned</em> while a connection that uses it is open (a chat
 * socket can outlive any TTL) and expires {@code ttl} after its last connection ended.
 *
 * <p>Threads: {@link #get}, {@link #remember}, {@link Entry#pin()} and {@link Entry#unpin()} run on
 * event loops and never block or scan. {@link #sweep()} does the scanning (expiry, and eviction of
 * the oldest unpinned entries down to {@code capacity}) and runs on the control thread. Between
 * sweeps the table may exceed its capacity by the inserts of one sweep interval, never by more
 * than {@link #hardLimit()}, past which new clients are routed but not remembered.
 */
public final class StickTable {

    private final ConcurrentHashMap<StickyKey, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int capacity;
    private final LongSupplier nanoClock;

    public StickTable(Duration ttl, int capacity, LongSupplier nanoClock) {
        this.ttlNanos = ttl.toNanos();
        this.capacity = capacity;
        this.nanoClock = nanoClock;
    }

    /** The entry for {@code key}, or null. Does not refresh it: only connections do. */
    public Entry get(StickyKey key) {
        return entries.get(key);
    }

    /**
     * Records that {@code key} now goes to {@code backendName}, replacing any older choice (the old
     * backend left the set, or its connect failed). Returns the entry, or null when the table is
     * at its hard limit and the client will not be remembered.
     */
    public Entry remember(StickyKey key, String backendName) {
        Entry existing = entries.get(key);
        if (existing != null) {
            existing.backendName = backendName;
            existing.touch();
            return existing;
        }
        if (entries.size() >= hardLimit()) {
            return null;
        }
        Entry fresh = new Entry(backendName);
        Entry raced = entries.putIfAbsent(key, fresh);
        if (raced != null) {
            raced.backendName = backendName;
            raced.touch();
            return raced;
        }
        return fresh;
    }

    /** One entry as another process needs it (handover): key, backend, and how long since it was used. */
    public record Exported(StickyKey key, String backendName, long idleNanos) {}

    /** Every entry now (weakly consistent); pinned entries count as just used. */
    public List<Exported> export() {
        long now = nanoClock.getAsLong();
        List<Exported> out = new ArrayList<>(entries.size());
        for (Map.Entry<StickyKey, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            long idle = entry.pins.get() > 0 ? 0 : Math.max(0, now - entry.lastUsedNanos);
            out.add(new Exported(e.getKey(), entry.backendName, idle));
        }
        return out;
    }

    /**
     * Adds an entry another process remembered (handover), unless this table has one for the key
     * already (ours is newer) or is at its hard limit; its TTL keeps counting from its last use there.
     */
    public void restore(StickyKey key, String backendName, long idleNanos) {
        if (entries.size() >= hardLimit() || idleNanos > ttlNanos) {
            return;
        }
        Entry fresh = new Entry(backendName);
        fresh.lastUsedNanos = nanoClock.getAsLong() - idleNanos;
        entries.putIfAbsent(key, fresh);
    }

    /** One entry as the admin API shows it. */
    public record Shown(StickyKey key, String backendName, int pins, long idleSeconds) {}

    /** Up to {@code limit} entries, by key (weakly consistent). Any thread. */
    public List<Shown> show(int limit) {
        List<Shown> out = new ArrayList<>();
        for (Map.Entry<StickyKey, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            out.add(new Shown(e.getKey(), entry.backendName, entry.pins(), entry.idleSeconds()));
        }
        out.sort(Comparator.comparing(sh -> sh.key().toString()));
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    /**
     * Forgets every entry (HAProxy's {@code clear table}); returns how many there were. Open
     * connections keep their entry object and unpin it harmlessly; their next pick makes a new one.
     * Any thread.
     */
    public int clear() {
        int n = entries.size();
        entries.clear();
        return n;
    }

    /** Removes expired entries, then the oldest unpinned ones while over capacity. Control thread only. */
    public int sweep() {
        long now = nanoClock.getAsLong();
        int removed = 0;
        for (Map.Entry<StickyKey, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            if (entry.pins.get() == 0 && now - entry.lastUsedNanos > ttlNanos && entries.remove(e.getKey(), entry)) {
                removed++;
            }
        }
        int excess = entries.size() - capacity;
        if (excess > 0) {
            // Event loops keep touching entries while we sort: snapshot each timestamp once, or the
            // sort sees a comparator that changes under it (and TimSort rightly refuses).
            List<Candidate> unpinned = new ArrayList<>();
            for (Map.Entry<StickyKey, Entry> e : entries.entrySet()) {
                Entry entry = e.getValue();
                if (entry.pins.get() == 0) {
                    unpinned.add(new Candidate(e.getKey(), entry, entry.lastUsedNanos));
                }
            }
            unpinned.sort(Comparator.comparingLong(Candidate::lastUsedNanos));
            for (int i = 0; i < unpinned.size() && excess > 0; i++) {
                Candidate c = unpinned.get(i);
                if (c.entry().pins.get() == 0 && entries.remove(c.key(), c.entry())) {
                    excess--;
                    removed++;
                }
            }
        }
        return removed;
    }

    private record Candidate(StickyKey key, Entry entry, long lastUsedNanos) {}

    public int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Inserts stop here; sweeps bring the table back to {@link #capacity()}. */
    public int hardLimit() {
        return capacity + Math.max(1024, capacity / 8);
    }

    /** One client key's remembered backend. */
    public final class Entry {
        private volatile String backendName;
        private volatile long lastUsedNanos;
        private final AtomicInteger pins = new AtomicInteger();

        private Entry(String backendName) {
            this.backendName = backendName;
            touch();
        }

        public String backendName() {
            return backendName;
        }

        /** Open connections using this entry; while above zero the entry never expires. */
        public int pins() {
            return pins.get();
        }

        /** Seconds since the entry was last used (0 while pinned). */
        public long idleSeconds() {
            return pins.get() > 0 ? 0 : Duration.ofNanos(nanoClock.getAsLong() - lastUsedNanos).toSeconds();
        }

        /** A connection using this entry was established. */
        public void pin() {
            pins.incrementAndGet();
            touch();
        }

        /** That connection closed; the TTL starts counting now. */
        public void unpin() {
            touch();
            pins.decrementAndGet();
        }

        private void touch() {
            lastUsedNanos = nanoClock.getAsLong();
        }
    }
}
