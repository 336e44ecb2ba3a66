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
 * loops are stuck). Then it accepts again at once, from this thread, and makes the handover thread
 * give up wherever it waits ({@link Link#giveUp}).
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
    private final Link link;
    private final long peerPid;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean tripped;

    private AcceptWatch(HandoverSource source, Set<String> taken, Duration limit, Link link, long peerPid) {
        this.source = source;
        this.taken = taken;
        this.limit = limit;
        this.link = link;
        this.peerPid = peerPid;
        this.thread = new Thread(this::watch, "sluice-handover-accept-watch");
        this.thread.setDaemon(true);
    }

    static AcceptWatch start(HandoverSource source, Set<String> taken, Duration limit, Link link, long peerPid) {
        AcceptWatch w = new AcceptWatch(source, taken, limit, link, peerPid);
        w.thread.start();
        return w;
    }

    /** Whether it found the new process not accepting (and took the listeners back). */
    boolean tripped() {
        return tripped;
    }

    private void watch() {
        long waitingSince = Long.MIN_VALUE;
        while (running) {
            int waiting = source.clientsWaiting(taken);
            long now = System.nanoTime();
            if (waiting <= 0) {
                waitingSince = Long.MIN_VALUE;
            } else if (waitingSince == Long.MIN_VALUE) {
                waitingSince = now;
            } else if (now - waitingSince >= limit.toNanos()) {
                tripped = true;
                source.resumeAccepting();
                String why = "pid " + peerPid + " accepted nothing for " + limit.toMillis() + " ms while " + waiting
                        + " connections waited on the listeners it took";
                log.warn("Handover: {}; accepting here again", why);
                link.giveUp(why);
                return;
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
