package io.sluice.handover;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.Future;
import io.sluice.proxy.Connection;
import io.sluice.proxy.ConnectionImage;
import io.sluice.proxy.PausedConnection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection phase of a {@link HandOff}: batch after batch, with at most {@link #PIPELINE} in
 * flight (then pausing the next batch overlaps the new process's work on the last). ACKs come back
 * in batch order.
 *
 * <p>Confined to the handover thread that runs its {@link HandOff}; the connections themselves are
 * paused and resumed on their own event loops ({@link PausedConnection}), and its counters are read
 * by {@link HandOff} on the same thread once the phase has ended or failed.
 */
final class HandOffRounds {

    private static final Logger log = LoggerFactory.getLogger(HandOffRounds.class);

    /** Connections per batch: a batch's connections all pause for its round trip, so keep it small. */
    static final int BATCH_SIZE = Integer.getInteger("sluice.handover.batch-size", 64);
    /**
     * Batches in flight at once. More than one overlaps pausing the next batch with the new
     * process's work on the last; on the 2-core benchmark machine (both daemons on one core) two
     * gave the same total time and longer pauses, so one is the default (docs/performance.md).
     */
    static final int PIPELINE = Integer.getInteger("sluice.handover.pipeline", 1);
    /** How long to wait for connections that cannot go yet (connecting to a backend, closing). */
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private final Link link;
    private final HandoverSource source;
    /** The new process has this long to answer each step. */
    private final Duration step;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final Set<Connection> offered = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Could not pause this round (connecting to a backend, closing): retried once the others are out. */
    private final Set<Connection> unsettled = Collections.newSetFromMap(new IdentityHashMap<>());
    final Set<Connection> handedSet = Collections.newSetFromMap(new IdentityHashMap<>());
    int handed;
    int refused;
    long pausing;
    long sending;
    long awaitingAcks;
    private long nextId = 1;
    private long batchNo;
    private long settleDeadline = Long.MIN_VALUE;
    /** Told of every ACK: the new process answers, so it is alive; null until the listeners moved. */
    private AcceptWatch watch;

    HandOffRounds(Link link, HandoverSource source, Duration step) {
        this.link = link;
        this.source = source;
        this.step = step;
    }

    void watch(AcceptWatch w) {
        this.watch = w;
    }

    void run() throws HandoverException, InterruptedException {
        while (true) {
            if (inFlight.size() < PIPELINE) {
                List<Connection> candidates = candidates(batchSize(batchNo));
                if (!candidates.isEmpty()) {
                    if (sendBatch(candidates)) {
                        continue;
                    }
                    if (inFlight.isEmpty()) {
                        continue; // all of them unsettled: the next round looks at the rest
                    }
                } else if (!unsettled.isEmpty() && inFlight.isEmpty()) {
                    if (settleDeadline == Long.MIN_VALUE) {
                        settleDeadline = System.nanoTime() + SETTLE.toNanos();
                    } else if (System.nanoTime() - settleDeadline > 0) {
                        log.warn("Handover: {} connections did not settle (connecting or closing) in {}; they stay here",
                                unsettled.size(), SETTLE);
                        return;
                    }
                    Thread.sleep(20); // still connecting or closing: look again shortly
                    unsettled.clear();
                    continue;
                } else if (inFlight.isEmpty()) {
                    return; // nothing left
                }
            }
            awaitAck();
        }
    }

    private List<Connection> candidates(int max) {
        List<Connection> out = new ArrayList<>(max);
        for (Connection c : source.connections()) {
            if (!offered.contains(c) && !unsettled.contains(c)) {
                out.add(c);
                if (out.size() == max) {
                    break;
                }
            }
        }
        return out;
    }

    /** Pauses and sends one batch; false if none of the candidates could pause. */
    private boolean sendBatch(List<Connection> candidates) throws HandoverException {
        long t0 = System.nanoTime();
        List<PausedConnection> batch = pause(candidates, nextId);
        pausing += System.nanoTime() - t0;
        nextId += candidates.size();
        Set<Connection> inBatch = Collections.newSetFromMap(new IdentityHashMap<>());
        batch.forEach(p -> inBatch.add(p.connection()));
        for (Connection c : candidates) {
            (inBatch.contains(c) ? offered : unsettled).add(c);
        }
        if (batch.isEmpty()) {
            return false;
        }
        InFlight sent = new InFlight(batchNo++, batch);
        inFlight.add(sent); // from here on an abort resumes (or settles) them
        List<ConnectionImage> images = new ArrayList<>(batch.size());
        CompositeByteBuf blob = Unpooled.compositeBuffer(batch.size() * 3);
        List<Integer> descriptors = new ArrayList<>(batch.size() * 2);
        for (PausedConnection p : batch) {
            images.add(p.image());
            blob.addComponent(true, p.takeBytes());
            for (int fd : p.descriptors()) {
                descriptors.add(fd);
            }
        }
        long t1 = System.nanoTime();
        link.sendBatch(new Messages.Batch(sent.number(), images), blob, step);
        link.sendDescriptors(descriptors.stream().mapToInt(Integer::intValue).toArray(), step);
        sending += System.nanoTime() - t1;
        return true;
    }

    private void awaitAck() throws HandoverException {
        long t0 = System.nanoTime();
        Messages.Ack ack = link.expect(Wire.Type.ACK, step).read(Messages.Ack.class);
        awaitingAcks += System.nanoTime() - t0;
        InFlight oldest = inFlight.peek();
        if (oldest == null || ack.batch() != oldest.number()) {
            throw new HandoverException("ACK for batch " + ack.batch() + " while "
                    + (oldest == null ? "none" : "batch " + oldest.number()) + " was the oldest in flight");
        }
        inFlight.poll();
        if (watch != null) {
            watch.proved();
        }
        Map<Long, PausedConnection> byId = new HashMap<>();
        oldest.connections().forEach(p -> byId.put(p.image().id(), p));
        for (Long id : ack.adopted()) {
            PausedConnection p = byId.remove(id);
            if (p != null) {
                p.handedOver();
                handedSet.add(p.connection());
                handed++;
            }
        }
        for (Messages.Refusal r : ack.refused()) {
            PausedConnection p = byId.remove(r.id());
            if (p != null) {
                log.warn("Handover: the new process refused a connection from {} ({}); it stays here",
                        p.image().client(), r.why());
                p.resume();
                refused++;
            }
        }
        // Named in neither list: not the peer's, so ours.
        byId.values().forEach(PausedConnection::resume);
        refused += byId.size();
    }

    /** Every paused connection of the batches in flight (still ours until their ACK is read). */
    List<PausedConnection> inFlightConnections() {
        List<PausedConnection> all = new ArrayList<>();
        inFlight.forEach(b -> all.addAll(b.connections()));
        return all;
    }

    private record InFlight(long number, List<PausedConnection> connections) {}

    /**
     * Batches start small and double up to {@link #BATCH_SIZE}: the new process's first batches run
     * on cold code (interpreted, not yet compiled), and every connection of a batch pauses for all
     * of it, so the longest pauses would otherwise all come from the first, slowest batches.
     */
    static int batchSize(long batchNo) {
        return (int) Math.min(BATCH_SIZE, 4L << Math.min(batchNo, 20));
    }

    /**
     * Pauses each candidate on its event loop; the ones that cannot go now come back as absent.
     * Never leaves one paused and unlisted: a pause that completes after we stopped waiting (an
     * event loop stuck for 10 s) is resumed when it does, and goes in a later batch.
     */
    private static List<PausedConnection> pause(List<Connection> candidates, long firstId) {
        List<Future<PausedConnection>> pausing = new ArrayList<>(candidates.size());
        long id = firstId;
        for (Connection c : candidates) {
            pausing.add(PausedConnection.pause(c, id++));
        }
        List<PausedConnection> paused = new ArrayList<>(candidates.size());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Future<PausedConnection> f : pausing) {
            long left = Math.max(0, deadline - System.nanoTime());
            boolean done;
            try {
                done = f.await(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = f.isDone();
            }
            if (!done) {
                f.addListener(late -> {
                    if (late.isSuccess() && late.getNow() != null) {
                        ((PausedConnection) late.getNow()).resume();
                    }
                });
                continue;
            }
            if (f.isSuccess() && f.getNow() != null) {
                paused.add(f.getNow());
            }
        }
        return paused;
    }
}
