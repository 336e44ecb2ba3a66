package io.sluice.discovery;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One backend instance as a registry reports it.
 *
 * @param name    stable identity: Consul's ServiceID, or the ZooKeeper instance id. Never the
 *                address or the list position, so every node builds the same Maglev table.
 * @param address where to connect (resolved literal; registries give IPs)
 * @param weight  0..1000: Consul Weights.Passing (or Weights.Warning when warning), a
 *                {@code sluice-weight} meta key, else 100
 * @param status  how the registry sees it
 * @param drainedBy    for MAINTENANCE: who put it there as the registry tells (the agent's host and
 *                     instance, or Consul's maintenance check), else null
 * @param drainReason  for MAINTENANCE: the reason text given with it ({@code sluice-agent drain
 *                     --reason}), else null
 */
public record DiscoveredBackend(String name, InetSocketAddress address, int weight, Status status,
                                String drainedBy, String drainReason) {

    public DiscoveredBackend {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(status, "status");
    }

    /** A backend the registry says nothing more about (no maintenance note). */
    public DiscoveredBackend(String name, InetSocketAddress address, int weight, Status status) {
        this(name, address, weight, status, null, null);
    }

    /** The registry's view, mapped onto Sluice's states by the daemon. */
    public enum Status {
        /** Healthy: takes new connections. */
        PASSING,
        /** Consul warning: still takes connections, at {@code weight} (Weights.Warning). */
        WARNING,
        /** Maintenance mode: DRAIN (existing connections stay). */
        MAINTENANCE,
        /** Critical: DRAIN with the pool's drain deadline. */
        CRITICAL
    }
}
