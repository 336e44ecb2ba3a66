package io.sluice.direct;

import io.sluice.config.DirectListenerConfig;
import java.util.List;
import java.util.Objects;

/**
 * What the kernel should do for one direct listener at one moment: the listener's settings, the
 * Maglev table as marks (slot i holds the mark of the backend that owns slot i of the pool's table,
 * 0 when the pool has no eligible backend), and every backend it may mark packets for.
 *
 * @param listener    the listener's settings
 * @param slotMarks   {@code M} entries; never modified after construction (callers must not either)
 * @param backends    the pool's IPv4 backends, sorted by name
 * @param generation  the pool snapshot's generation it was built from (logged)
 * @param fingerprint the Maglev table's fingerprint (the same on every node with the same table)
 */
@SuppressWarnings("ArrayRecordComponent") // never compared or hashed: DirectPlane tells plans apart by fingerprint
public record ServicePlan(DirectListenerConfig listener, long[] slotMarks, List<DirectBackend> backends,
                          long generation, long fingerprint) {

    public ServicePlan {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(slotMarks, "slotMarks");
        backends = List.copyOf(backends);
    }

    /** Whether any slot has a backend (else every new flow is dropped and counted). */
    public boolean hasBackends() {
        return slotMarks.length > 0 && slotMarks[0] != 0;
    }
}
