package io.sluice.handover;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.Future;
import io.sluice.proxy.Connection;
import io.sluice.proxy.ConnectionImage;
import io.sluice.proxy.PausedConnection;
import java.time.Duration;
import java.time.Instant;
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
 * The old process's side of one handover, run on its own thread once the new process has said
 * HELLO and attached its descriptor connection.
 *
 * <p>Ownership (docs/handover.md): a connection is ours until the new process's ACK naming it has
 * been read here. Before that we keep its descriptors open and its queued bytes; if the link
 * breaks, every connection of the batch in flight is resumed here, the listeners accept again,
 * and this process goes on as if nothing happened. After the ACK we only close our copies.
 */
public final class HandOff implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(HandOff.class);

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
    private final HandoverStatus status;
    private final long peerPid;
    private final Runnable onEnd;
    /** The new process has this long to answer each step before we take everything back. */
    private final Duration step;

    HandOff(Link link, HandoverSource source, HandoverStatus status, long peerPid, Runnable onEnd) {
        this.step = source.deadlines().step();
        this.link = link;
        this.source = source;
        this.status = status;
        this.peerPid = peerPid;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        long t0 = System.nanoTime();
        Instant startedAt = Instant.now();
        status.state("handing-over");
        Rounds rounds = new Rounds();
        boolean acceptingStopped = false;
        int listeners = 0;
        AcceptWatch watch = null;
        try {
            log.info("Handover to pid {}: sending state and listening sockets", peerPid);
            link.send(Wire.Type.STATE, source.state(), step);
            List<HandoverSource.Socket> sockets = source.listeningSockets();
            List<Messages.OfferedSocket> offered = new ArrayList<>();
            int[] fds = new int[sockets.size()];
            for (int i = 0; i < sockets.size(); i++) {
                HandoverSource.Socket s = sockets.get(i);
                offered.add(new Messages.OfferedSocket(s.name(), s.kind(), s.address()));
                fds[i] = s.descriptor();
            }
            link.send(Wire.Type.LISTENERS, new Messages.Listeners(offered), step);
            link.sendDescriptors(fds, step);
            Messages.ListenersTaken taken = link.expect(Wire.Type.LISTENERS_TAKEN, step).read(Messages.ListenersTaken.class);
            listeners = taken.names().size();
            acceptingStopped = true;
            source.stopAccepting(Set.copyOf(taken.names()));
            watch = AcceptWatch.start(source, Set.copyOf(taken.names()), source.deadlines().accept(), peerPid);
            rounds.watch = watch;
            log.info("Handover to pid {}: it accepts on {}; handing over connections", peerPid, taken.names());

            rounds.run();
            link.send(Wire.Type.STATE, source.state(), step); // entries made while the listeners moved
            int kept = keptHere(rounds.handedSet);
            link.send(Wire.Type.DONE, new Messages.Done(rounds.handed, kept), step);
            long longestPause = awaitBye();
            watch.close();
            if (longestPause == NO_BYE) {
                // The connections it acknowledged are its own; the listeners are not until it says
                // BYE (it may hang holding them): serve them here, and it closes its copies when it
                // finds the link gone (docs/handover.md, "Deadlines").
                source.resumeAccepting();
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                log.warn("Handover to pid {}: no BYE in {}; {} connections are its own, the listeners are ours again",
                        peerPid, step, rounds.handed);
                status.finished(new HandoverStatus.Summary("sent", peerPid, startedAt, millis, rounds.handed,
                        rounds.refused, kept, -1, listeners, "aborted: no BYE from pid " + peerPid + " in " + step
                        + " (its connections stay its own; the listeners are ours again)"));
                return;
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            log.info("Handover to pid {} done: {} connections in {} ms (longest pause {} ms), {} refused, {} stay here to drain;"
                    + " pausing {} ms, sending {} ms, awaiting ACKs {} ms", peerPid, rounds.handed, millis, longestPause,
                    rounds.refused, kept, TimeUnit.NANOSECONDS.toMillis(rounds.pausing),
                    TimeUnit.NANOSECONDS.toMillis(rounds.sending), TimeUnit.NANOSECONDS.toMillis(rounds.awaitingAcks));
            status.finished(new HandoverStatus.Summary("sent", peerPid, startedAt, millis, rounds.handed, rounds.refused, kept,
                    longestPause, listeners, "done"));
            source.handedOver(kept);
        } catch (HandoverException | RuntimeException e) {
            closeQuietly(watch);
            abort(rounds.inFlightConnections(), acceptingStopped, e.getMessage());
            status.finished(new HandoverStatus.Summary("sent", peerPid, startedAt,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), rounds.handed, rounds.refused,
                    keptHere(rounds.handedSet), -1, listeners, "aborted: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(watch);
            abort(rounds.inFlightConnections(), acceptingStopped, "interrupted");
            status.finished(new HandoverStatus.Summary("sent", peerPid, startedAt, 0, rounds.handed, rounds.refused,
                    keptHere(rounds.handedSet), -1, listeners, "aborted: interrupted"));
        } finally {
            closeQuietly(watch);
            link.close();
            onEnd.run();
        }
    }

    private static final long NO_BYE = Long.MIN_VALUE;

    /**
     * The new process's BYE: it accepts on the listeners it took and lets us go. Without it in
     * time, whatever it wrote before the read side is shut still counts (as for a late ACK); the
     * longest pause it reports, or {@link #NO_BYE}.
     */
    private long awaitBye() {
        try {
            return link.expect(Wire.Type.BYE, step).read(Messages.Bye.class).longestPauseMillis();
        } catch (HandoverException e) {
            for (Wire.Frame f : link.stopAndDrain(Duration.ofSeconds(2))) {
                if (f.type() == Wire.Type.BYE) {
                    try {
                        return f.read(Messages.Bye.class).longestPauseMillis();
                    } catch (HandoverException unreadable) {
                        return -1;
                    }
                }
            }
            log.warn("Handover: no BYE from pid {} ({})", peerPid, e.getMessage());
            return NO_BYE;
        }
    }

    private static void closeQuietly(AcceptWatch watch) {
        if (watch != null) {
            watch.close();
        }
    }

    /**
     * The connection phase: batch after batch, with at most {@link #PIPELINE} in flight (then
     * pausing the next batch overlaps the new process's work on the last). ACKs come back in batch
     * order.
     */
    private final class Rounds {
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
        /** Told of every ACK: the new process answers, so it is alive. */
        AcceptWatch watch;

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
     * Before taking a batch back, makes sure the new process cannot still acknowledge it: the
     * control socket's read side is shut (its later writes fail), and whatever it wrote before that
     * is read. An ACK found there counts: those connections are the other process's. Without this,
     * an ACK written in the instant we gave up (a stalled, not dead, peer) would leave a batch served
     * by both processes. Returns the connections that are still ours.
     */
    private List<PausedConnection> settleLateAck(List<PausedConnection> inFlight) {
        if (inFlight.isEmpty()) {
            return inFlight;
        }
        List<Wire.Frame> late = link.stopAndDrain(Duration.ofSeconds(5));
        Map<Long, PausedConnection> byId = new HashMap<>();
        inFlight.forEach(p -> byId.put(p.image().id(), p));
        for (Wire.Frame f : late) {
            if (f.type() != Wire.Type.ACK) {
                continue;
            }
            try {
                for (Long id : f.read(Messages.Ack.class).adopted()) {
                    PausedConnection p = byId.remove(id);
                    if (p != null) {
                        p.handedOver();
                    }
                }
            } catch (HandoverException e) {
                log.warn("Handover: unreadable late ACK ({}); its connections stay here", e.getMessage());
            }
        }
        return new ArrayList<>(byId.values());
    }

    /** Connections this process still serves: all but those handed over (which may linger a moment while they close). */
    private int keptHere(Set<Connection> handed) {
        int kept = 0;
        for (Connection c : source.connections()) {
            if (!handed.contains(c)) {
                kept++;
            }
        }
        return kept;
    }

    /**
     * Takes back what is still ours: accepting first (every moment counts for new clients), then
     * the batch in flight, once a late ACK has been given its due. Those connections' descriptors
     * are in the other process too (it may hang holding them), so they are resumed to be shut down
     * with shutdown(2) when they end here: a plain close would leave its copy keeping them open.
     */
    private void abort(List<PausedConnection> inFlight, boolean acceptingStopped, String why) {
        if (acceptingStopped) {
            source.resumeAccepting();
        }
        inFlight = settleLateAck(inFlight);
        log.warn("Handover to pid {} aborted ({}); resuming {} connections in flight{}", peerPid, why, inFlight.size(),
                acceptingStopped ? " and accepting again" : "");
        inFlight.forEach(PausedConnection::resumeShared);
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
