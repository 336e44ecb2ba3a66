package io.sluice.handover;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The old process's proof that the new one accepts: from the moment it stops accepting on the
 * listeners the new process took, it watches their accept queues (the kernel's count of connections
 * nobody has accepted yet). A healthy new process keeps them short; a queue that is never empty for
 * {@link Deadlines#accept()} means nobody accepts (the new process hangs, is stopped, or its event
 * loops are stuck, or just slow). Then it accepts again at once, from this thread, beside the new
 * process, so no client waits longer; it does not end the handover: a hung new process fails its
 * next step deadline, a live one proves itself with its next ACK, after which the handover thread
 * stops accepting here again and re-arms this watch ({@link #proved}). A slow new process under
 * load thus costs a shared accept queue for a while, never an aborted handover.
 *
 * <p>Thread: its own daemon thread, from {@link #start} to {@link #close}; it only reads files and
 * flips accepting on (idempotent), never blocks the handover thread.
 */
final class AcceptWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AcceptWatch.class);
    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final HandoverSource source;
    private final Set<String> taken;
    private final Duration limit;
    private final long peerPid;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean tripped;

    private AcceptWatch(HandoverSource source, Set<String> taken, Duration limit, long peerPid) {
        this.source = source;
        this.taken = taken;
        this.limit = limit;
        this.peerPid = peerPid;
        this.thread = new Thread(this::watch, "sluice-handover-accept-watch");
        this.thread.setDaemon(true);
    }

    static AcceptWatch start(HandoverSource source, Set<String> taken, Duration limit, long peerPid) {
        AcceptWatch w = new AcceptWatch(source, taken, limit, peerPid);
        w.thread.start();
        return w;
    }

    /**
     * Handover thread: the new process answered a step (an ACK): if this process accepts again
     * because of a slow accept, it stops again and the watch starts over.
     */
    void proved() {
        if (tripped) {
            source.accepting(taken, false);
            tripped = false;
            log.info("Handover: pid {} answers again; it alone accepts on {} again", peerPid, taken);
        }
    }

    private void watch() {
        long waitingSince = Long.MIN_VALUE;
        while (running) {
            if (tripped) {
                waitingSince = Long.MIN_VALUE;
                LockSupport.parkNanos(SAMPLE_NANOS);
                continue;
            }
            int waiting = source.clientsWaiting(taken);
            long now = System.nanoTime();
            if (waiting <= 0) {
                waitingSince = Long.MIN_VALUE;
            } else if (waitingSince == Long.MIN_VALUE) {
                waitingSince = now;
            } else if (now - waitingSince >= limit.toNanos()) {
                source.accepting(taken, true); // before the flag: proved() must see it done
                tripped = true;
                log.warn("Handover: pid {} accepted nothing for {} ms while {} connections waited on the listeners it"
                        + " took; accepting here too until it answers", peerPid, limit.toMillis(), waiting);
            }
            LockSupport.parkNanos(SAMPLE_NANOS);
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
