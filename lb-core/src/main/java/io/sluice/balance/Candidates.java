package io.sluice.balance;

import io.sluice.backend.Backend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Turns a caller's backend list into the array every balancer indexes: weight-0 backends dropped
 * (they must never be picked, so they are treated as absent), the rest sorted by name.
 *
 * <p>Sorting here, rather than trusting the caller, is what makes two nodes whose configs list the
 * same backends in different orders build identical round-robin sequences and Maglev tables.
 */
final class Candidates {

    private Candidates() {
    }

    /**
     * @throws IllegalArgumentException if two backends share a name (a name is the identity)
     */
    static Backend[] eligible(List<Backend> backends) {
        Objects.requireNonNull(backends, "backends");
        List<Backend> out = new ArrayList<>(backends.size());
        for (Backend b : backends) {
            if (Objects.requireNonNull(b, "backend").weight() > 0) {
                out.add(b);
            }
        }
        out.sort(Comparator.comparing(Backend::name));
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).name().equals(out.get(i - 1).name())) {
                throw new IllegalArgumentException("duplicate backend name: " + out.get(i).name());
            }
        }
        return out.toArray(new Backend[0]);
    }

    /**
     * Whether {@code a} is strictly less loaded than {@code b} per unit of weight, i.e.
     * {@code loadA / a.weight() < loadB / b.weight()}, compared by cross-multiplying so there is no
     * rounding (both products fit in a long: int times int).
     */
    static boolean lighter(long loadA, Backend a, long loadB, Backend b) {
        return loadA * b.weight() < loadB * a.weight();
    }

    /** Active connections, never negative (a close racing an open may dip the counter briefly). */
    static long active(Backend b) {
        return Math.max(0, b.activeConnections());
    }
}
