package io.sluice.balance;

import io.sluice.backend.Backend;
import java.util.Collection;
import java.util.List;

/**
 * Chooses the backend for a new connection among a fixed, eligible set.
 *
 * <p>A balancer is built for one immutable snapshot of a pool's eligible backends (UP, READY); a
 * change to the set builds a new balancer. The factories accept the backends in any order and sort
 * them by name themselves, so nodes whose configs list backends differently behave the same;
 * backends of weight 0 are treated as absent and never picked. Names must be unique. {@link #pick}
 * is called concurrently from every event loop and never blocks (round-robin with a pathological
 * weight set is the one exception, see {@link #roundRobin}).
 *
 * <p>See docs/balancing.md for the algorithms and their measured behaviour.
 */
public interface Balancer {

    /**
     * Picks a backend.
     *
     * @param keyHash  64-bit hash of the client's sticky key ({@link KeyHash}); only hashing
     *                 balancers (Maglev) use it
     * @param excluded backends already tried for this connection (connect failed); never returned
     *                 while another backend remains. May be empty, never null. Expected to be tiny
     *                 (at most the retry count): balancers only call {@code contains} on it.
     * @return the chosen backend, or {@code null} when every eligible backend is excluded or the
     *         set is empty
     */
    Backend pick(long keyHash, Collection<Backend> excluded);

    /**
     * Smooth weighted round-robin (nginx's algorithm): weights 5,1,1 pick {@code a a b a c a a}.
     * Lock-free via a precomputed period; weight sets whose period exceeds 2^20 picks fall back to
     * a short synchronized section.
     */
    static Balancer roundRobin(List<Backend> backends) {
        return new SmoothRoundRobin(backends);
    }

    /** The backend with the fewest active connections per unit of weight; ties rotate. */
    static Balancer leastConnections(List<Backend> backends) {
        return new LeastConnections(backends);
    }

    /**
     * Maglev consistent hashing on {@code keyHash}: the same key goes to the same backend on every
     * node, and a change of the set moves few keys.
     *
     * @param tableSize prime, at least the number of backends; {@link MaglevTable#DEFAULT_SIZE} is 65537
     * @throws IllegalArgumentException if {@code tableSize} is not prime or too small
     */
    static Balancer maglev(List<Backend> backends, int tableSize) {
        return new MaglevBalancer(MaglevTable.build(backends, tableSize));
    }

    /** Maglev over a table the caller built (and keeps, to show its fingerprint and explain picks). */
    static Balancer maglev(MaglevTable table) {
        return new MaglevBalancer(table);
    }

    /** Two distinct random backends, drawn by weight; the less loaded per unit of weight wins. */
    static Balancer randomTwo(List<Backend> backends) {
        return new RandomTwoChoices(backends);
    }
}
