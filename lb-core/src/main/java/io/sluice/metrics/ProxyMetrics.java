package io.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data plane's counters, registered in Micrometer under Prometheus-style names.
 *
 * <p>Tag values come only from config names (listener, pool, backend) and fixed reason words,
 * never from client addresses, so cardinality is bounded by the config.
 *
 * <p>The counters every connection touches (accepted, closed, bytes, tls routed) are cached in
 * maps keyed by the tag strings themselves, which are config names and constants whose hash codes
 * are cached: the data path does a map lookup or two and allocates nothing. Rarer counters are
 * cached under a joined string key.
 */
public final class ProxyMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> acceptedByListener = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> closedByListener = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> tlsRoutedByListener = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> bytesUpByPool = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> bytesDownByPool = new ConcurrentHashMap<>();

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A client connection was accepted on {@code listener} (before admission). */
    public void accepted(String listener) {
        cached(acceptedByListener, listener, "sluice.connections.accepted", "listener").increment();
    }

    /**
     * A connection another Sluice process accepted and handed over (docs/handover.md): counted here
     * instead of in accepted, so accepted + adopted - closed is still what is open.
     */
    public void adopted(String listener) {
        counter("sluice.connections.adopted", "listener", listener).increment();
    }

    /** A client connection was closed before any backend was tried, for {@code reason}. */
    public void refused(String listener, String reason) {
        counter("sluice.connections.refused", "listener", listener, "reason", reason).increment();
    }

    /**
     * Listener {@code listener} could not take a connection off its socket ({@code out-of-descriptors}:
     * the kernel's EMFILE, or a descriptor of the admin API's reserve; {@code other}).
     */
    public void acceptFailed(String listener, String reason) {
        counter("sluice.listener.accept.errors", "listener", listener, "reason", reason).increment();
    }

    /** A connect to {@code backend} failed for {@code reason} (refused, timeout, other). */
    public void connectFailed(String pool, String backend, String reason) {
        counter("sluice.backend.connect.failures", "pool", pool, "backend", backend, "reason", reason).increment();
    }

    /** A relay closed; {@code reason} is a {@code CloseReason} word. */
    public void closed(String listener, String reason) {
        cached(closedByListener, listener, reason, "sluice.connections.closed", "reason").increment();
    }

    /** A tls listener routed a connection; {@code kind}: exact, wildcard, default, not-tls, server-first. */
    public void tlsRouted(String listener, String kind) {
        cached(tlsRoutedByListener, listener, kind, "sluice.tls.routed", "kind").increment();
    }

    /** A tls listener refused a connection; {@code reason} is a {@code TlsRefusal} word. */
    public void tlsRefused(String listener, String reason) {
        counter("sluice.tls.refused", "listener", listener, "reason", reason).increment();
    }

    /** A ClientHello carried Encrypted Client Hello (routed on its outer SNI). */
    public void tlsEncryptedClientHello(String listener) {
        counter("sluice.tls.ech", "listener", listener).increment();
    }

    /** A trusted upstream's connection had no valid PROXY header ({@code reason}: invalid, timeout). */
    public void proxyProtocolRefused(String listener, String reason) {
        counter("sluice.proxy.protocol.refused", "listener", listener, "reason", reason).increment();
    }

    public void bytes(String pool, long up, long down) {
        if (up > 0) {
            cached(bytesUpByPool, pool, "sluice.bytes.up", "pool").increment((double) up);
        }
        if (down > 0) {
            cached(bytesDownByPool, pool, "sluice.bytes.down", "pool").increment((double) down);
        }
    }

    /** The current count of a counter, 0 if it was never incremented. For tests and the status API. */
    public double count(String name, String... tags) {
        Counter c = counters.get(cacheKey(name, tags));
        return c == null ? 0 : c.count();
    }

    /**
     * The counter {@code name} tagged with {@code listener} and {@code tag} = {@code value}, from
     * {@code cache} (per listener, then per value): two lookups, no allocation once cached.
     */
    private Counter cached(ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> cache, String listener,
                           String value, String name, String tag) {
        ConcurrentHashMap<String, Counter> byValue = cache.get(listener);
        if (byValue == null) {
            byValue = cache.computeIfAbsent(listener, k -> new ConcurrentHashMap<>());
        }
        Counter c = byValue.get(value);
        return c != null ? c : byValue.computeIfAbsent(value, v -> counter(name, "listener", listener, tag, v));
    }

    /** The counter {@code name} whose only tag {@code tag} has the value {@code value}, from {@code cache}. */
    private Counter cached(ConcurrentHashMap<String, Counter> cache, String value, String name, String tag) {
        Counter c = cache.get(value); // get first: computeIfAbsent may lock the bin even on a hit
        return c != null ? c : cache.computeIfAbsent(value, v -> counter(name, tag, v));
    }

    private Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(cacheKey(name, tags), k -> Counter.builder(name).tags(tags).register(registry));
    }

    private static String cacheKey(String name, String... tags) {
        return name + '|' + String.join("|", tags);
    }
}
