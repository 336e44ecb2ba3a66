package io.sluice.direct;

import java.time.Instant;
import java.util.Map;

/**
 * The kernel's numbers for the direct listeners as last read (every 2 s, on the direct thread): the
 * named nft counters and the flow maps' sizes. Immutable; {@link #NONE} before the first read.
 *
 * @param readAt   when they were read, or null for {@link #NONE}
 * @param counters {@code "listener/backend"} ({@code "listener/"}: dropped packets) to {packets, bytes}
 * @param flows    listener to entries in its flow map (-1: unreadable)
 */
@SuppressWarnings("ArrayRecordComponent") // never compared: a snapshot to read from
public record KernelCounters(Instant readAt, Map<String, long[]> counters, Map<String, Integer> flows) {

    static final KernelCounters NONE = new KernelCounters(null, Map.of(), Map.of());

    public KernelCounters {
        counters = Map.copyOf(counters);
        flows = Map.copyOf(flows);
    }

    /** Packets forwarded to {@code backend} by {@code listener} (null backend: dropped); 0 when not read. */
    public long packets(String listener, String backend) {
        return counters.getOrDefault(key(listener, backend), new long[2])[0];
    }

    /** Their bytes; 0 when not read. */
    public long bytes(String listener, String backend) {
        return counters.getOrDefault(key(listener, backend), new long[2])[1];
    }

    /** Entries in the listener's flow map, or null when not read or unreadable. */
    public Integer flows(String listener) {
        Integer n = flows.get(listener);
        return n == null || n < 0 ? null : n;
    }

    static String key(String listener, String backend) {
        return listener + "/" + (backend == null ? "" : backend);
    }
}
