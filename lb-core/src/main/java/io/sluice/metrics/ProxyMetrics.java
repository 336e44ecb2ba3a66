package io.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data plane's counters, registered in Micrometer under Prometheus-style names.
 *
 * <p>Tag values come only from config names (listener, pool, backend) and fixed reason words,
 * never from client addresses, so cardinality is bounded by the config. Counters are cached by
 * their tag values so the data path does one map lookup, not a registry lookup.
 */
public final class ProxyMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A client connection was accepted on {@code listener} (before admission). */
    public void accepted(String listener) {
        counter("sluice.connections.accepted", "listener", listener).increment();
    }

    /** A client connection was closed before any backend was tried, for {@code reason}. */
    public void refused(String listener, String reason) {
        counter("sluice.connections.refused", "listener", listener, "reason", reason).increment();
    }

    /** A connect to {@code backend} failed for {@code reason} (refused, timeout, other). */
    public void connectFailed(String pool, String backend, String reason) {
        counter("sluice.backend.connect.failures", "pool", pool, "backend", backend, "reason", reason).increment();
    }

    /** A relay closed; {@code reason} is a {@code CloseReason} word. */
    public void closed(String listener, String reason) {
        counter("sluice.connections.closed", "listener", listener, "reason", reason).increment();
    }

    /** A tls listener routed a connection; {@code kind}: exact, wildcard, default, not-tls, server-first. */
    public void tlsRouted(String listener, String kind) {
        counter("sluice.tls.routed", "listener", listener, "kind", kind).increment();
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
            counter("sluice.bytes.up", "pool", pool).increment(up);
        }
        if (down > 0) {
            counter("sluice.bytes.down", "pool", pool).increment(down);
        }
    }

    /** The current count of a counter, 0 if it was never incremented. For tests and the status API. */
    public double count(String name, String... tags) {
        Counter c = counters.get(cacheKey(name, tags));
        return c == null ? 0 : c.count();
    }

    private Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(cacheKey(name, tags), k -> Counter.builder(name).tags(tags).register(registry));
    }

    private static String cacheKey(String name, String... tags) {
        return name + '|' + String.join("|", tags);
    }
}
