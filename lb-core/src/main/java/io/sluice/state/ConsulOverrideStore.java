package io.sluice.state;

import io.sluice.registry.Backoff;
import io.sluice.registry.consul.BlockingWatch;
import io.sluice.registry.consul.ConsulClient;
import io.sluice.registry.consul.Indexed;
import io.sluice.registry.consul.KvEntry;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin overrides shared by every Sluice node through Consul's KV store ({@code state.store: consul}),
 * through lb-registry's {@link ConsulClient} (the documented KV HTTP API) and {@link BlockingWatch}.
 *
 * <p>Layout: {@code <prefix>/<pool>:<backend>}, one key per backend (pool and backend names are
 * {@code [A-Za-z0-9._-]}, so ':' cannot be ambiguous; a '/' inside a key name would not survive,
 * since Consul decodes {@code %2F} in the path into a real separator). The value is the same JSON
 * object as an entry of the local state file and of the ZooKeeper store:
 * <pre>{"admin":"drain","weight":50,"drain_deadline":"2024-01-01T00:00:00Z","close_rate":100.0}</pre>
 * Keys under the prefix that do not look like {@code pool:backend} are ignored.
 *
 * <p>A key's version is its {@code ModifyIndex}. Writes are made by {@link SharedOverrideStore}'s
 * writer thread with check-and-set on the index the change was made on ({@code PUT ?cas=<index>},
 * absent: {@code cas=0}, create only; removal {@code DELETE ?cas=<index>}); {@code false} means another
 * node wrote first, and its write stands (the rule in {@link SharedOverrideStore}).
 *
 * <p>Reads come from a local view. {@link #open} loads every entry ({@code GET ?recurse}) before it
 * returns; then a daemon thread ({@code sluice-consul-overrides-watch}) runs blocking queries
 * ({@code ?recurse&index=N&wait=55s}) on the prefix, diffs each answer against the last one and calls
 * the listeners from that thread, for changes by any writer including this node. A successful
 * {@link #put} also updates the view at once (the watch's echo follows). While Consul is unreachable the
 * last view is kept and the watch retries with lb-registry's {@link Backoff}; the outage and
 * the recovery are each logged once.
 */
public final class ConsulOverrideStore extends SharedOverrideStore {

    private static final Logger log = LoggerFactory.getLogger(ConsulOverrideStore.class);

    static final Duration WATCH_WAIT = Duration.ofSeconds(55);

    private final ConsulClient consul;
    private final String prefix;
    private final Duration watchWait;
    // Watch thread only (and open() before the thread starts).
    private Map<String, Stored> seen = new HashMap<>();
    private volatile BlockingWatch<List<KvEntry>> watch;

    private ConsulOverrideStore(ConsulClient consul, String prefix, Duration watchWait) {
        super("consul", Clock.systemUTC());
        this.consul = consul;
        this.prefix = trimSlashes(prefix);
        this.watchWait = watchWait;
    }

    /**
     * Loads every override under {@code prefix} (blocking, each request bounded by {@code timeout}) and
     * starts watching. Call at start-up, never on an event loop.
     *
     * @param consul           the agent's HTTP address, e.g. {@code http://127.0.0.1:8500}
     * @param tokenOrNull      sent as {@code X-Consul-Token} when given
     * @param datacenterOrNull sent as {@code ?dc=} when given
     * @param prefix           the KV folder, e.g. {@code sluice/overrides}
     * @throws IOException when Consul cannot be reached or answers with an error
     */
    public static ConsulOverrideStore open(URI consul, String tokenOrNull, String datacenterOrNull, String prefix,
                                           Duration timeout) throws IOException {
        return open(consul, tokenOrNull, datacenterOrNull, prefix, timeout, WATCH_WAIT);
    }

    /** As {@link #open(URI, String, String, String, Duration)} with a given blocking-query wait (tests). */
    static ConsulOverrideStore open(URI consul, String tokenOrNull, String datacenterOrNull, String prefix,
                                    Duration timeout, Duration watchWait) throws IOException {
        Objects.requireNonNull(consul, "consul");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(timeout, "timeout");
        if (trimSlashes(prefix).isEmpty()) {
            throw new IllegalArgumentException("the Consul override prefix must not be empty");
        }
        ConsulOverrideStore store = new ConsulOverrideStore(
                ConsulClient.create(consul, tokenOrNull, datacenterOrNull, timeout), prefix, watchWait);
        long index;
        try {
            Indexed<List<KvEntry>> first = store.consul.kvList(store.prefix, 0, watchWait);
            index = first.index();
            store.seen = store.overrides(first.value());
            store.seen.forEach(store::load);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading the overrides from Consul", e);
        }
        store.startWriter();
        log.info("Loaded {} admin override(s) from Consul at {} {}/", store.all().size(), consul, store.prefix);
        BlockingWatch<List<KvEntry>> w = new BlockingWatch<>("sluice-consul-overrides-watch",
                i -> store.consul.kvList(store.prefix, i, store.watchWait), store.new Watcher(), Backoff.standard());
        store.watch = w;
        w.start(BlockingWatch.nextIndex(0, index));
        return store;
    }

    @Override
    Stored read(String key) throws IOException, InterruptedException {
        String kvKey = kvKey(key);
        Optional<KvEntry> got = consul.kvGet(kvKey);
        return got.map(e -> new Stored(parseOrNone(e, kvKey), e.modifyIndex())).orElse(Stored.ABSENT);
    }

    /**
     * Check-and-set on the base's {@code ModifyIndex} ({@code cas=0}: create only); {@code false}
     * means someone got in between. Consul does not answer a write with the new index, so it is read
     * back (a later writer's index there only makes ours look older, which is true).
     */
    @Override
    Stored writeIf(String key, AdminOverride next, Stored base) throws IOException, InterruptedException {
        String kvKey = kvKey(key);
        if (next.isNone()) {
            if (base.absent()) {
                return consul.kvGet(kvKey).isPresent() ? null : base;
            }
            return consul.kvDelete(kvKey, base.version()) ? new Stored(AdminOverride.NONE, base.version()) : null;
        }
        if (!consul.kvPut(kvKey, OverrideJson.serialize(next), base.absent() ? 0 : base.version())) {
            return null;
        }
        Optional<KvEntry> after = consul.kvGet(kvKey);
        long version = after.filter(e -> next.equals(parseOrNone(e, kvKey))).map(KvEntry::modifyIndex)
                .orElse(base.version() + 1);
        return new Stored(next, version);
    }

    /** Stops the watch thread (interrupting its blocking query). Safe twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopWriter();
        BlockingWatch<List<KvEntry>> w = watch;
        if (w != null) {
            w.close();
        }
    }

    // ---- watch thread ----

    /** The watch's listener: diffs each listing against the last and tells the listeners. */
    private final class Watcher implements BlockingWatch.Listener<List<KvEntry>> {

        @Override
        public void answer(List<KvEntry> entries) {
            if (!closed.get()) {
                apply(overrides(entries));
            }
        }

        @Override
        public void reachability(boolean reachable, String reason) {
            if (closed.get()) {
                return;
            }
            ConsulOverrideStore.this.reachability(reachable);
            if (reachable) {
                log.info("Override store: Consul at {} reachable again", consul.address());
            } else {
                log.warn("Override store: cannot watch {}/ in Consul at {} ({}); keeping the last {} override(s)",
                        prefix, consul.address(), reason, all().size());
            }
        }
    }

    private void apply(Map<String, Stored> now) {
        Map<String, Stored> before = seen;
        seen = now;
        for (Map.Entry<String, Stored> e : now.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                remoteUpsert(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, Stored> e : before.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                remoteDelete(e.getKey(), e.getValue().version());
            }
        }
    }

    /** The overrides in a listing of the prefix; keys that are not {@code pool:backend} and unreadable values are left out. */
    private Map<String, Stored> overrides(List<KvEntry> entries) {
        Map<String, Stored> out = new HashMap<>();
        String folder = prefix + "/";
        for (KvEntry e : entries) {
            String k = e.key();
            if (!k.startsWith(folder)) {
                continue;
            }
            String name = k.substring(folder.length());
            int colon = name.indexOf(':');
            if (colon <= 0 || colon == name.length() - 1 || name.indexOf('/') >= 0) {
                if (!name.isEmpty()) {
                    log.debug("Ignoring Consul key {}: not pool:backend", k);
                }
                continue;
            }
            AdminOverride o;
            try {
                o = parse(e);
            } catch (IOException | RuntimeException ex) {
                log.warn("Ignoring unreadable override {} in Consul: {}", k, ex.getMessage());
                continue;
            }
            if (!o.isNone()) {
                out.put(OverrideJson.key(name.substring(0, colon), name.substring(colon + 1)), new Stored(o, e.modifyIndex()));
            }
        }
        return out;
    }

    // ---- encoding ----

    /** The KV key of one override: {@code <prefix>/<pool>:<backend>}. */
    String kvKey(String pool, String backend) {
        return prefix + "/" + pool + ":" + backend;
    }

    private String kvKey(String key) {
        int slash = key.indexOf('/');
        return kvKey(key.substring(0, slash), key.substring(slash + 1));
    }

    private static String trimSlashes(String p) {
        int start = 0;
        int end = p.length();
        while (start < end && p.charAt(start) == '/') {
            start++;
        }
        while (end > start && p.charAt(end - 1) == '/') {
            end--;
        }
        return p.substring(start, end);
    }

    private static AdminOverride parse(KvEntry e) throws IOException {
        byte[] value = e.value();
        return value == null ? AdminOverride.NONE : OverrideJson.parse(value);
    }

    /** Unreadable data (written by something else) counts as no override, so a put can replace it. */
    private static AdminOverride parseOrNone(KvEntry e, String key) {
        try {
            return parse(e);
        } catch (IOException | RuntimeException ex) {
            log.warn("Replacing unreadable override {} in Consul: {}", key, ex.getMessage());
            return AdminOverride.NONE;
        }
    }
}
