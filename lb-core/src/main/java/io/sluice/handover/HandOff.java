package io.sluice.handover;

import io.sluice.proxy.Connection;
import io.sluice.proxy.PausedConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 *
 * <p>Everything here runs on that one handover thread: the steps around the connections (state,
 * listeners, DONE, BYE, taking back after a failure) are this class's; the batches of connections
 * in between are {@link HandOffRounds}'.
 */
public final class HandOff implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(HandOff.class);

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
        HandOffRounds rounds = new HandOffRounds(link, source, step);
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
            rounds.watch(watch);
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

}
