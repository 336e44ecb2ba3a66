package io.sluice.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin overrides shared by every Sluice node through Consul's KV store ({@code state.store: consul}),
 * spoken over plain {@code java.net.http} against the documented KV HTTP API.
 *
 * <p>Layout: {@code <prefix>/<pool>:<backend>}, one key per backend (pool and backend names are
 * {@code [A-Za-z0-9._-]}, so ':' cannot be ambiguous; a '/' inside a key name would not survive,
 * since Consul decodes {@code %2F} in the path into a real separator). The value is the same JSON
 * object as an entry of the local state file and of the ZooKeeper store:
 * <pre>{"admin":"drain","weight":50,"drain_deadline":"2024-01-01T00:00:00Z","close_rate":100.0}</pre>
 * Keys under the prefix that do not look like {@code pool:backend} are ignored.
 *
 * <p>Writes use check-and-set: GET the key's {@code ModifyIndex} (absent: {@code cas=0}, create only),
 * {@code PUT ?cas=<index>}; on {@code false} (another writer got in between) re-read and try again
 * (bounded, with a little jitter). Removing an override is {@code DELETE ?cas=<index>} (already gone is
 * fine). So concurrent writers never lose an update; per key the last write wins.
 *
 * <p>Reads come from a local view. {@link #open} loads every entry ({@code GET ?recurse}) before it
 * returns; then a daemon thread ({@code sluice-consul-overrides-watch}) runs blocking queries
 * ({@code ?recurse&index=N&wait=55s}) on the prefix, diffs each answer against the last one and calls
 * the listeners from that thread, for changes by any writer including this node. A successful
 * {@link #put} also updates the view at once (the watch's echo follows). While Consul is unreachable the
 * last view is kept and the watch retries with capped exponential backoff and jitter; the outage and
 * the recovery are each logged once.
 */
public final class ConsulOverrideStore extends SharedOverrideStore {

    private static final Logger log = LoggerFactory.getLogger(ConsulOverrideStore.class);
    private static final ObjectMapper json = new ObjectMapper();

    static final Duration WATCH_WAIT = Duration.ofSeconds(55);
    static final long BACKOFF_MIN_MS = 200;
    static final long BACKOFF_MAX_MS = 10_000;
    /** CAS attempts per put before giving up (each failure means another writer succeeded). */

    private final URI consul;
    private final String token;
    private final String datacenter;
    private final String prefix;
    private final Duration timeout;
    private final Duration watchWait;
    private final HttpClient http;
    // Watch thread only (and open() before the thread starts).
    private Map<String, Override> seen = new HashMap<>();
    private long index;
    private volatile Thread watcher;

    private ConsulOverrideStore(URI consul, String token, String datacenter, String prefix, Duration timeout,
                                Duration watchWait) {
        this.consul = consul;
        this.token = token == null || token.isEmpty() ? null : token;
        this.datacenter = datacenter == null || datacenter.isEmpty() ? null : datacenter;
        this.prefix = trimSlashes(prefix);
        this.timeout = timeout;
        this.watchWait = watchWait;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
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
        ConsulOverrideStore store = new ConsulOverrideStore(consul, tokenOrNull, datacenterOrNull, prefix, timeout,
                watchWait);
        try {
            Snapshot first = store.list(0);
            store.index = first.index();
            store.seen = first.entries();
            store.view.putAll(first.entries());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading the overrides from Consul", e);
        }
        log.info("Loaded {} admin override(s) from Consul at {} {}/", store.view.size(), consul, store.prefix);
        Thread t = new Thread(store::watchLoop, "sluice-consul-overrides-watch");
        t.setDaemon(true);
        store.watcher = t;
        t.start();
        return store;
    }

    /**
     * Read-modify-write of one override with CAS: {@code change} gets the stored value (NONE when
     * absent) and may be called again when another writer got in between. Returns what was stored.
     *
     * @throws UncheckedIOException  when Consul cannot be reached or answers with an error
     * @throws IllegalStateException when every attempt lost to another writer, or the store is closed
     */
    @java.lang.Override
    Override update(String pool, String backend, UnaryOperator<Override> change) {
        if (closed.get()) {
            throw new IllegalStateException("the Consul override store is closed");
        }
        String key = OverrideJson.key(pool, backend);
        String kvKey = kvKey(pool, backend);
        try {
            for (int attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
                if (attempt > 1) {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(1, 2 + Math.min(attempt, 10) * 2));
                }
                HttpResponse<byte[]> got = send(request(kvKey, null).GET().build());
                long modifyIndex;
                Override current;
                if (got.statusCode() == 404) {
                    modifyIndex = 0;
                    current = Override.NONE;
                } else {
                    check(got, "read " + kvKey);
                    JsonNode e = json.readTree(got.body()).path(0);
                    modifyIndex = e.path("ModifyIndex").asLong(-1);
                    if (modifyIndex <= 0) {
                        throw new IOException("no ModifyIndex in Consul's answer for " + kvKey);
                    }
                    current = parseOrNone(e.path("Value"), kvKey);
                }
                Override next = Objects.requireNonNull(change.apply(current), "override");
                if (next.isNone()) {
                    if (modifyIndex == 0 || casResult(send(request(kvKey, "cas=" + modifyIndex).DELETE().build()),
                            "delete " + kvKey)) {
                        view.remove(key);
                        return next;
                    }
                } else {
                    byte[] body = OverrideJson.serialize(next);
                    if (casResult(send(request(kvKey, "cas=" + modifyIndex)
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build()), "write " + kvKey)) {
                        view.put(key, next);
                        return next;
                    }
                }
                // another writer got in between: read again
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the override of " + key, e);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot write the override of " + key + " to Consul at "
                    + consul + ": " + e.getMessage(), e));
        }
        throw new IllegalStateException("could not write the override of " + key + ": " + MAX_WRITE_ATTEMPTS
                + " attempts lost to concurrent writers");
    }

    /** Stops the watch thread (interrupting its blocking query). Safe twice. */
    @java.lang.Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Thread t = watcher;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- watch thread ----

    private void watchLoop() {
        boolean down = false;
        long backoff = BACKOFF_MIN_MS;
        while (!closed.get()) {
            try {
                Snapshot s = list(index);
                // Documented: an index that goes backwards (e.g. a restored snapshot) means start over.
                index = s.index() < index ? 0 : s.index();
                if (down) {
                    down = false;
                    log.info("Override store: Consul at {} reachable again", consul);
                }
                backoff = BACKOFF_MIN_MS;
                apply(s.entries());
            } catch (InterruptedException e) {
                return; // close()
            } catch (IOException | RuntimeException e) {
                if (closed.get()) {
                    return;
                }
                if (!down) {
                    down = true;
                    log.warn("Override store: cannot watch {}/ in Consul at {} ({}); keeping the last {} override(s)",
                            prefix, consul, e.toString(), view.size());
                }
                long pause = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void apply(Map<String, Override> now) {
        Map<String, Override> before = seen;
        seen = now;
        for (Map.Entry<String, Override> e : now.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                view.put(e.getKey(), e.getValue());
                notifyListeners(e.getKey(), e.getValue());
            }
        }
        for (String key : before.keySet()) {
            if (!now.containsKey(key)) {
                view.remove(key);
                notifyListeners(key, Override.NONE);
            }
        }
    }

    // ---- HTTP ----

    private record Snapshot(long index, Map<String, Override> entries) {
    }

    /** GET {@code <prefix>/?recurse}, blocking when {@code waitIndex > 0}. */
    private Snapshot list(long waitIndex) throws IOException, InterruptedException {
        String q = "recurse=true";
        Duration requestTimeout = timeout;
        if (waitIndex > 0) {
            q += "&index=" + waitIndex + "&wait=" + watchWait.toMillis() + "ms";
            // Consul adds up to wait/16 of jitter to a blocking query.
            requestTimeout = watchWait.plus(watchWait.dividedBy(16)).plus(timeout);
        }
        HttpResponse<byte[]> r = send(request(encodePath(prefix) + "/", q).timeout(requestTimeout).GET().build());
        long at = r.headers().firstValueAsLong("X-Consul-Index").orElse(0);
        if (at <= 0) {
            throw new IOException("no X-Consul-Index in Consul's answer for " + prefix + "/");
        }
        Map<String, Override> entries = new HashMap<>();
        if (r.statusCode() == 404) {
            return new Snapshot(at, entries);
        }
        check(r, "list " + prefix + "/");
        String folder = prefix + "/";
        for (JsonNode e : json.readTree(r.body())) {
            String k = e.path("Key").asText("");
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
            Override o;
            try {
                o = parse(e.path("Value"));
            } catch (IOException | RuntimeException ex) {
                log.warn("Ignoring unreadable override {} in Consul: {}", k, ex.getMessage());
                continue;
            }
            if (!o.isNone()) {
                entries.put(OverrideJson.key(name.substring(0, colon), name.substring(colon + 1)), o);
            }
        }
        return new Snapshot(at, entries);
    }

    private HttpRequest.Builder request(String encodedKeyPath, String query) {
        StringBuilder q = new StringBuilder();
        if (query != null) {
            q.append(query);
        }
        if (datacenter != null) {
            q.append(q.length() == 0 ? "" : "&").append("dc=").append(enc(datacenter));
        }
        String base = consul.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        URI uri = URI.create(base + "/v1/kv/" + encodedKeyPath + (q.length() == 0 ? "" : "?" + q));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
        if (token != null) {
            b.header("X-Consul-Token", token);
        }
        return b;
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void check(HttpResponse<byte[]> r, String what) throws IOException {
        if (r.statusCode() / 100 != 2) {
            String body = new String(r.body(), StandardCharsets.UTF_8).trim();
            throw new IOException("Consul refused to " + what + ": HTTP " + r.statusCode()
                    + (body.isEmpty() ? "" : " " + (body.length() > 200 ? body.substring(0, 200) : body)));
        }
    }

    private static boolean casResult(HttpResponse<byte[]> r, String what) throws IOException {
        check(r, what);
        return "true".equals(new String(r.body(), StandardCharsets.UTF_8).trim());
    }

    // ---- encoding ----

    /** The encoded KV path of one override: {@code <prefix>/<pool>:<backend>}. */
    String kvKey(String pool, String backend) {
        return encodePath(prefix) + "/" + enc(pool + ":" + backend);
    }

    private static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/", -1)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(enc(segment));
        }
        return out.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
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

    private static Override parse(JsonNode base64Value) throws IOException {
        if (base64Value == null || base64Value.isNull() || base64Value.isMissingNode()) {
            return Override.NONE;
        }
        return OverrideJson.parse(Base64.getDecoder().decode(base64Value.asText()));
    }

    /** Unreadable data (written by something else) counts as no override, so a put can replace it. */
    private static Override parseOrNone(JsonNode base64Value, String key) {
        try {
            return parse(base64Value);
        } catch (IOException | RuntimeException e) {
            log.warn("Replacing unreadable override {} in Consul: {}", key, e.getMessage());
            return Override.NONE;
        }
    }
}
