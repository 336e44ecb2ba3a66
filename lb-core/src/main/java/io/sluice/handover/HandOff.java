package io.sluice.handover;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.Future;
import io.sluice.proxy.Connection;
import io.sluice.proxy.ConnectionImage;
import io.sluice.proxy.PausedConnection;
import java.time.Duration;
import java.time.Instant;
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
    /** How long to wait for connections that cannot go yet (connecting to a backend, closing). */
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /** The new process has this long to answer each step before we take everything back. */
    private static final Duration STEP = Duration.ofSeconds(60);

    private final Link link;
    private final HandoverSource source;
    private final HandoverStatus status;
    private final long peerPid;
    private final Runnable onEnd;

    HandOff(Link link, HandoverSource source, HandoverStatus status, long peerPid, Runnable onEnd) {
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
        List<PausedConnection> inFlight = List.of();
        boolean acceptingStopped = false;
        int handed = 0;
        int refused = 0;
        int listeners = 0;
        Set<Connection> handedSet = Collections.newSetFromMap(new IdentityHashMap<>());
        long pausing = 0;
        long sending = 0;
        long awaitingAcks = 0;
        try {
            log.info("Handover to pid {}: sending state and listening sockets", peerPid);
            link.send(Wire.Type.STATE, source.state(), STEP);
            List<HandoverSource.Socket> sockets = source.listeningSockets();
            List<Messages.OfferedSocket> offered = new ArrayList<>();
            int[] fds = new int[sockets.size()];
            for (int i = 0; i < sockets.size(); i++) {
                HandoverSource.Socket s = sockets.get(i);
                offered.add(new Messages.OfferedSocket(s.name(), s.kind(), s.address()));
                fds[i] = s.descriptor();
            }
            link.send(Wire.Type.LISTENERS, new Messages.Listeners(offered), STEP);
            link.sendDescriptors(fds, STEP);
            Messages.ListenersTaken taken = link.expect(Wire.Type.LISTENERS_TAKEN, STEP).read(Messages.ListenersTaken.class);
            listeners = taken.names().size();
            acceptingStopped = true;
            source.stopAccepting(Set.copyOf(taken.names()));
            log.info("Handover to pid {}: it accepts on {}; handing over connections", peerPid, taken.names());

            Set<Connection> offeredAlready = Collections.newSetFromMap(new IdentityHashMap<>());
            long nextId = 1;
            long batchNo = 0;
            long settleDeadline = System.nanoTime() + SETTLE.toNanos();
            while (true) {
                List<Connection> candidates = new ArrayList<>();
                for (Connection c : source.connections()) {
                    if (!offeredAlready.contains(c)) {
                        candidates.add(c);
                        if (candidates.size() == batchSize(batchNo)) {
                            break;
                        }
                    }
                }
                if (candidates.isEmpty()) {
                    break;
                }
                long tPause = System.nanoTime();
                List<PausedConnection> batch = pause(candidates, nextId);
                pausing += System.nanoTime() - tPause;
                nextId += candidates.size();
                if (batch.isEmpty()) {
                    if (System.nanoTime() - settleDeadline > 0) {
                        log.warn("Handover: {} connections did not settle (connecting or closing) in {}; they stay here",
                                candidates.size(), SETTLE);
                        break;
                    }
                    Thread.sleep(20); // connections still connecting or closing: look again shortly
                    continue;
                }
                inFlight = batch;
                Map<Long, PausedConnection> byId = new HashMap<>();
                Map<Long, Connection> connectionById = new HashMap<>();
                List<ConnectionImage> images = new ArrayList<>(batch.size());
                CompositeByteBuf blob = Unpooled.compositeBuffer(batch.size() * 3);
                List<Integer> descriptors = new ArrayList<>(batch.size() * 2);
                for (int i = 0; i < batch.size(); i++) {
                    PausedConnection p = batch.get(i);
                    images.add(p.image());
                    byId.put(p.image().id(), p);
                    blob.addComponent(true, p.takeBytes());
                    for (int fd : p.descriptors()) {
                        descriptors.add(fd);
                    }
                }
                for (Connection c : candidates) {
                    offeredAlready.add(c); // paused ones are in the batch; the others are retried below
                }
                long tSend = System.nanoTime();
                link.sendBatch(new Messages.Batch(batchNo, images), blob, STEP);
                link.sendDescriptors(descriptors.stream().mapToInt(Integer::intValue).toArray(), STEP);
                long tAck = System.nanoTime();
                sending += tAck - tSend;
                Messages.Ack ack = link.expect(Wire.Type.ACK, STEP).read(Messages.Ack.class);
                awaitingAcks += System.nanoTime() - tAck;
                if (ack.batch() != batchNo) {
                    throw new HandoverException("ACK for batch " + ack.batch() + " while batch " + batchNo + " was in flight");
                }
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
                inFlight = List.of();
                // Candidates that could not pause go back to the pool of the next round.
                retryUnpaused(candidates, batch, offeredAlready);
                batchNo++;
            }
            link.send(Wire.Type.STATE, source.state(), STEP); // entries made while the listeners moved
            int kept = keptHere(handedSet);
            link.send(Wire.Type.DONE, new Messages.Done(handed, kept), STEP);
            long longestPause = -1;
            try {
                longestPause = link.expect(Wire.Type.BYE, STEP).read(Messages.Bye.class).longestPauseMillis();
            } catch (HandoverException e) {
                log.warn("Handover: no BYE from pid {} ({}); its connections are its own anyway", peerPid, e.getMessage());
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            log.info("Handover to pid {} done: {} connections in {} ms (longest pause {} ms), {} refused, {} stay here to drain;"
                    + " pausing {} ms, sending {} ms, awaiting ACKs {} ms", peerPid, handed, millis, longestPause, refused, kept,
                    TimeUnit.NANOSECONDS.toMillis(pausing), TimeUnit.NANOSECONDS.toMillis(sending),
                    TimeUnit.NANOSECONDS.toMillis(awaitingAcks));
            status.finished(new HandoverStatus.Summary("sent", peerPid, startedAt, millis, handed, refused, kept,
                    longestPause, listeners, "done"));
            source.handedOver(kept);
        } catch (HandoverException | RuntimeException e) {
            abort(inFlight, acceptingStopped, e.getMessage());
            status.finished(new HandoverStatus.Summary("sent", peerPid, startedAt,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), handed, refused, keptHere(handedSet), -1,
                    listeners, "aborted: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(inFlight, acceptingStopped, "interrupted");
            status.finished(new HandoverStatus.Summary("sent", peerPid, startedAt, 0, handed, refused,
                    keptHere(handedSet), -1, listeners, "aborted: interrupted"));
        } finally {
            link.close();
            onEnd.run();
        }
    }

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

    private void abort(List<PausedConnection> inFlight, boolean acceptingStopped, String why) {
        inFlight = settleLateAck(inFlight);
        log.warn("Handover to pid {} aborted ({}); resuming {} connections in flight{}", peerPid, why, inFlight.size(),
                acceptingStopped ? " and accepting again" : "");
        inFlight.forEach(PausedConnection::resume);
        if (acceptingStopped) {
            source.resumeAccepting();
        }
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

    private static void retryUnpaused(List<Connection> candidates, List<PausedConnection> batch, Set<Connection> offered) {
        Set<Connection> inBatch = Collections.newSetFromMap(new IdentityHashMap<>());
        for (PausedConnection p : batch) {
            inBatch.add(p.connection());
        }
        for (Connection c : candidates) {
            if (!inBatch.contains(c)) {
                offered.remove(c);
            }
        }
    }
}
