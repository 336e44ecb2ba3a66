package io.sluice.state;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.registry.Backoff;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the fleet-wide stores (ZooKeeper, Consul) share: a versioned view kept current by the store's
 * watch, the queue of this node's changes on their way to the store, the writer thread that empties
 * it, and the rule that reconciles the two.
 *
 * <p><b>The rule</b> (per key, last writer by the store's version wins): a change is applied here at
 * once and queued with the version of the key it was made on (its base). The writer stores it only if
 * the key still has that version (ZooKeeper {@code mzxid} checked before a versioned write, Consul
 * {@code cas=ModifyIndex}). If another node wrote the key meanwhile, that write has a store version
 * and this change has none: theirs wins, this node follows it, and the change is recorded as lost
 * (WARN line, {@link StoreStatus#lost}). Several changes of one key while queued collapse into the
 * newest, on the first one's base. Nodes therefore agree once the store is back and each has
 * written or dropped its queue.
 *
 * <p>Threads: {@link #put} and {@link #get} on the control thread, never blocking on the network;
 * the watch's events on the store's threads ({@link #remoteUpsert}, {@link #remoteDelete}); writes
 * on this store's writer thread ({@code sluice-<store>-overrides-writer}). The view and the queue
 * are guarded by this object's lock, which nobody holds across a network call. Listeners are called
 * outside the lock.
 */
abstract class SharedOverrideStore implements OverrideStore {

    private static final Logger log = LoggerFactory.getLogger(SharedOverrideStore.class);

    private final String kind;
    private final Clock clock;
    final AtomicBoolean closed = new AtomicBoolean();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** "pool/backend" -> the value and version last seen (watch, own writes); NONE entries are tombstones. */
    private final Map<String, Stored> view = new HashMap<>();
    /** "pool/backend" -> this node's change not yet in the store, in queue order. */
    private final Map<String, Pending> queue = new LinkedHashMap<>();
    private final Deque<StoreStatus.Lost> lost = new ArrayDeque<>();
    private long lostTotal;
    private volatile boolean reachable = true;
    private final Thread writer;

    /** One queued change: the newest value for the key, the version it was made on, its waiters. */
    private static final class Pending {
        final Stored base;
        final Instant queuedAt;
        AdminOverride value;
        /** Puts folded into this entry; the writer compares it to know whether a newer change came. */
        int changes = 1;
        boolean inFlight;
        final List<CompletableFuture<StoreWrite>> waiters = new ArrayList<>();

        Pending(Stored base, Instant queuedAt, AdminOverride value) {
            this.base = base;
            this.queuedAt = queuedAt;
            this.value = value;
        }
    }

    SharedOverrideStore(String kind, Clock clock) {
        this.kind = kind;
        this.clock = clock;
        this.writer = new DefaultThreadFactory("sluice-" + kind + "-overrides-writer", true).newThread(this::writeLoop);
    }

    // ---- what each store implements (writer thread; may block) ----

    /** The key's value and version in the store now ({@link Stored#ABSENT}-like when missing). */
    abstract Stored read(String key) throws IOException, InterruptedException;

    /**
     * Writes {@code next} (removes the key for NONE) only if the key is still as {@code base} says:
     * absent when {@code base} is absent, else at {@code base.version()}. Returns what was stored with
     * its new version, or null when the key moved on (another writer).
     */
    abstract Stored writeIf(String key, AdminOverride next, Stored base) throws IOException, InterruptedException;

    /** Starts the writer; a store calls it once its view is loaded. */
    final void startWriter() {
        writer.start();
    }

    // ---- control thread ----

    @Override
    public synchronized AdminOverride get(String pool, String backend) {
        String key = OverrideJson.key(pool, backend);
        Pending p = queue.get(key);
        if (p != null) {
            return p.value;
        }
        Stored s = view.get(key);
        return s == null ? AdminOverride.NONE : s.value();
    }

    @Override
    public synchronized Map<String, AdminOverride> all() {
        Map<String, AdminOverride> out = new TreeMap<>();
        view.forEach((k, s) -> {
            if (!s.absent()) {
                out.put(k, s.value());
            }
        });
        queue.forEach((k, p) -> {
            if (p.value.isNone()) {
                out.remove(k);
            } else {
                out.put(k, p.value);
            }
        });
        return Map.copyOf(out);
    }

    @Override
    public CompletableFuture<StoreWrite> put(String pool, String backend, AdminOverride override) {
        Objects.requireNonNull(override, "override");
        if (closed.get()) {
            throw new IllegalStateException("the " + kind + " override store is closed");
        }
        String key = OverrideJson.key(pool, backend);
        CompletableFuture<StoreWrite> done = new CompletableFuture<>();
        synchronized (this) {
            Pending p = queue.get(key);
            if (p == null) {
                p = new Pending(view.getOrDefault(key, Stored.ABSENT), clock.instant(), override);
                queue.put(key, p);
            } else {
                p.value = override;
                p.changes++;
            }
            p.waiters.add(done);
            notifyAll();
        }
        return done;
    }

    @Override
    public synchronized StoreStatus status() {
        List<StoreStatus.Queued> queued = new ArrayList<>();
        queue.forEach((k, p) -> queued.add(new StoreStatus.Queued(pool(k), backend(k), p.value, p.queuedAt)));
        queued.sort(Comparator.comparing(StoreStatus.Queued::queuedAt));
        return new StoreStatus(kind, reachable, List.copyOf(queued), List.copyOf(lost), lostTotal);
    }

    @Override
    public void watch(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ---- the store's threads: what the watch saw ----

    /** Another writer's (or our own echoed) value of {@code key}; older than what we know is ignored. */
    final void remoteUpsert(String key, Stored seen) {
        applyRemote(key, seen, false);
    }

    /** {@code key} was removed; {@code removedVersion} is the version of the value that was removed. */
    final void remoteDelete(String key, long removedVersion) {
        applyRemote(key, new Stored(AdminOverride.NONE, removedVersion), true);
    }

    /** Seeds the view at open, before the watch and the writer run. */
    final synchronized void load(String key, Stored s) {
        view.put(key, s);
    }

    /** Called by the store's connection watcher and by the writer. */
    final void reachability(boolean now) {
        if (reachable == now) {
            return;
        }
        reachable = now;
        synchronized (this) {
            notifyAll(); // a writer waiting out its backoff tries again at once
        }
    }

    final boolean reachable() {
        return reachable;
    }

    private void applyRemote(String key, Stored seen, boolean delete) {
        AdminOverride tell;
        synchronized (this) {
            Stored known = view.getOrDefault(key, Stored.ABSENT);
            if (delete ? known.version() > seen.version() : seen.version() <= known.version()) {
                return; // an echo of something we already know, or older
            }
            view.put(key, seen);
            Pending p = queue.get(key);
            if (p != null && p.inFlight) {
                return; // the writer's versioned write decides
            }
            if (p != null) {
                queue.remove(key);
                recordLost(key, p, seen.value());
            }
            tell = seen.value();
        }
        notifyListeners(key, tell);
    }

    // ---- writer thread ----

    private void writeLoop() {
        Backoff backoff = Backoff.standard();
        while (!closed.get()) {
            String key;
            Pending p;
            AdminOverride value;
            int changes;
            synchronized (this) {
                Map.Entry<String, Pending> next = queue.entrySet().stream().findFirst().orElse(null);
                if (next == null) {
                    waitQuietly(0);
                    continue;
                }
                key = next.getKey();
                p = next.getValue();
                p.inFlight = true;
                value = p.value;
                changes = p.changes;
            }
            try {
                Stored written = writeIf(key, value, p.base);
                Stored theirs = written == null ? read(key) : null;
                reachability(true);
                backoff.reset();
                if (written != null) {
                    written(key, p, changes, written);
                } else {
                    beaten(key, p, theirs);
                }
            } catch (InterruptedException e) {
                return; // closing
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    p.inFlight = false;
                }
                if (reachable) {
                    log.warn("Override store: cannot write {} to {} ({}); {} change(s) applied on this node and queued"
                            + " until it answers", key, kind, e.getMessage(), status().queued().size());
                }
                reachability(false);
                synchronized (this) {
                    waitQuietly(backoff.nextDelayMillis());
                }
            }
        }
    }

    /** Our write is in the store: drop it from the queue unless a newer change of the key came meanwhile. */
    private void written(String key, Pending p, int changes, Stored written) {
        AdminOverride tell = null;
        List<CompletableFuture<StoreWrite>> done;
        synchronized (this) {
            Stored known = view.getOrDefault(key, Stored.ABSENT);
            if (written.version() >= known.version()) {
                view.put(key, written);
            } else {
                tell = known.value(); // someone wrote after us (seen while in flight): theirs is the last word
            }
            p.inFlight = false;
            queue.remove(key);
            if (p.changes == changes) {
                done = List.copyOf(p.waiters);
            } else {
                // A newer change of this key came while we wrote: it goes on from our write, with every
                // waiter (the earlier change is superseded by the operator's own later one).
                Pending next = new Pending(written, p.queuedAt, p.value);
                next.waiters.addAll(p.waiters);
                queue.put(key, next);
                done = List.of();
                tell = null;
            }
        }
        done.forEach(f -> f.complete(StoreWrite.STORED));
        if (tell != null) {
            notifyListeners(key, tell);
        }
    }

    /** Another node wrote the key after our change was made: theirs stands, here too. */
    private void beaten(String key, Pending p, Stored theirs) {
        synchronized (this) {
            Stored known = view.getOrDefault(key, Stored.ABSENT);
            if (theirs.absent()) {
                // Removed: the removal is newer than anything we knew, though its version is not known.
                theirs = new Stored(AdminOverride.NONE, Math.max(known.version(), p.base.version()));
            } else if (theirs.version() < known.version()) {
                theirs = known;
            }
            view.put(key, theirs);
            queue.remove(key);
            recordLost(key, p, theirs.value());
        }
        notifyListeners(key, theirs.value());
    }

    /** Caller holds the lock. */
    private void recordLost(String key, Pending p, AdminOverride theirs) {
        StoreStatus.Lost l = new StoreStatus.Lost(pool(key), backend(key), p.value, theirs, p.queuedAt, clock.instant());
        lost.addFirst(l);
        while (lost.size() > StoreStatus.LOST_KEPT) {
            lost.removeLast();
        }
        lostTotal++;
        log.warn("Override store: this node's change of {} ({}, made {}) lost to another node's write ({}), which is"
                + " now in force here too", key, describe(p.value), p.queuedAt, describe(theirs));
        p.waiters.forEach(f -> f.complete(StoreWrite.LOST));
    }

    private void waitQuietly(long millis) {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed.set(true);
        }
    }

    /** Stops the writer (queued changes stay unwritten: this node is going away). */
    final void stopWriter() {
        writer.interrupt();
        synchronized (this) {
            notifyAll();
        }
    }

    /** Tells every listener about a change of {@code key} ("pool/backend"); never after close. */
    final void notifyListeners(String key, AdminOverride o) {
        if (closed.get()) {
            return;
        }
        for (Listener l : listeners) {
            try {
                l.changed(pool(key), backend(key), o);
            } catch (RuntimeException e) {
                log.error("Override listener failed on {}", key, e);
            }
        }
    }

    static String describe(AdminOverride o) {
        if (o.isNone()) {
            return "ready";
        }
        return o.admin().word() + (o.weight() == null ? "" : ", weight " + o.weight());
    }

    private static String pool(String key) {
        return key.substring(0, key.indexOf('/'));
    }

    private static String backend(String key) {
        return key.substring(key.indexOf('/') + 1);
    }
}
