package io.sluice.registry.consul;

/**
 * An answer of a blocking endpoint with its {@code X-Consul-Index}, the index to wait on next.
 *
 * @param index as Consul sent it (may be 0 or lower than the last; {@link BlockingWatch#nextIndex} applies
 *              the documented rules)
 */
public record Indexed<T>(long index, T value) {
}
