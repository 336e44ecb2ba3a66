package io.sluice.harness;

import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@link StreamingTraffic}'s two {@link StreamReactor}s and the test thread share: the peers by connection
 * id, what went wrong (wrong bytes, early endings), and each backend end's totals once it finished. Thread-safe
 * collections: the reactors write, the test thread reads and sums.
 */
final class TrafficLedger {

    final StreamingTraffic.Options options;
    /** Wrong bytes, protocol violations and failed connects (each fatal for a test). */
    final Queue<String> corruptions = new ConcurrentLinkedQueue<>();
    /** Connections that ended early, with why. */
    final Queue<String> endings = new ConcurrentLinkedQueue<>();
    final Set<Integer> ended = ConcurrentHashMap.newKeySet();
    final Map<Integer, StreamPeer> clientPeers = new ConcurrentHashMap<>();
    final Map<Integer, StreamPeer> backendPeers = new ConcurrentHashMap<>();
    /** Backend totals of connections that ended cleanly: id -> {received from client, sent to client}. */
    final Map<Integer, long[]> backendFinished = new ConcurrentHashMap<>();
    final AtomicInteger completed = new AtomicInteger();
    /** Set once by {@link StreamingTraffic#stop}: client ends half-close, backend ends finish their chunk. */
    volatile boolean stopping;

    TrafficLedger(StreamingTraffic.Options options) {
        this.options = options;
    }

    /** Client ends that neither ended early nor failed. */
    int live() {
        int n = 0;
        for (StreamPeer p : clientPeers.values()) {
            if (!p.over) {
                n++;
            }
        }
        return n;
    }

    /** Bytes received so far, summed over backend ends (up) and client ends (down). */
    long[] totals() {
        long up = 0;
        long down = 0;
        for (StreamPeer p : clientPeers.values()) {
            down += p.received;
        }
        for (StreamPeer p : backendPeers.values()) {
            up += p.received;
        }
        return new long[] {up, down};
    }

    /** The backend's totals of connection {@code id} once it finished, or null at {@code deadline}. */
    long[] awaitBackendTotals(int id, long deadline) throws InterruptedException {
        long[] b;
        while ((b = backendFinished.get(id)) == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return b;
    }
}
