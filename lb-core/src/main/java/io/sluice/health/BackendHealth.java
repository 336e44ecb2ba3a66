package io.sluice.health;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.backend.Backend;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of one backend of one pool: its {@link HealthState}, its check timer, its in-flight
 * {@link Probe} and its traffic failure counter.
 *
 * <p>Threading: pinned to one health event loop, which runs every check, timer and state change of
 * this backend, so the state machine needs no locks. {@link #connectFailed()} and
 * {@link #connectSucceeded()} come from IO event loops and touch only an atomic counter; reaching the
 * threshold hands over to the health loop. {@link #up()} is a volatile read from anywhere.
 */
final class BackendHealth {

    private static final Logger log = LoggerFactory.getLogger("io.sluice.health");

    private final HealthChecker checker;
    private final EventLoop loop;
    private final HealthState state;
    private final AtomicInteger trafficFailures = new AtomicInteger();
    private volatile Backend backend;
    private volatile boolean up = true;

    // health event loop only
    private boolean stopped;
    private ScheduledFuture<?> nextCheck;
    private ScheduledFuture<?> ejectionTimer;
    private Probe probe;

    BackendHealth(HealthChecker checker, Backend backend, EventLoop loop) {
        this.checker = checker;
        this.backend = backend;
        this.loop = loop;
        this.state = new HealthState(checker.config().rise(), checker.config().fall(), checker.check() != null);
    }

    boolean up() {
        return up;
    }

    /** The newest object for this name: later checks dial its address. Any thread. */
    void backend(Backend newest) {
        this.backend = newest;
    }

    /** Starts the checks: the first after a random delay within one interval, to spread them out. */
    void start() {
        onLoop(() -> {
            if (!stopped && checker.check() != null) {
                long interval = checker.config().interval().toNanos();
                schedule(ThreadLocalRandom.current().nextLong(Math.max(1, interval)));
            }
        });
    }

    /** Stops everything: timers cancelled, an in-flight check's channel closed, no more callbacks. */
    void stop() {
        onLoop(() -> {
            stopped = true;
            if (nextCheck != null) {
                nextCheck.cancel(false);
                nextCheck = null;
            }
            if (ejectionTimer != null) {
                ejectionTimer.cancel(false);
                ejectionTimer = null;
            }
            if (probe != null) {
                probe.abort();
                probe = null;
            }
        });
    }

    private void schedule(long delayNanos) {
        nextCheck = loop.schedule(this::runCheck, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void runCheck() {
        nextCheck = null;
        if (stopped) {
            return;
        }
        probe = new Probe(this);
        probe.start(loop, checker.transport().socketChannelClass(), checker.check(), backend.address(),
                checker.config().timeout().toMillis());
    }

    /** The probe's result; schedules the next check, interval ± 10% after this one started. */
    void probeFinished(Probe finished, String result) {
        if (finished != probe || stopped) {
            return;
        }
        probe = null;
        Backend current = backend;
        String cause = state.onCheck(CheckResults.OK.equals(result), result, checker.nanoClock().getAsLong());
        checker.reportChecked(current, Instant.now(), result);
        if (cause != null) {
            transition(current, cause);
        }
        long interval = checker.config().interval().toNanos();
        long jitter = interval / 10;
        long next = interval + (jitter > 0 ? ThreadLocalRandom.current().nextLong(-jitter, jitter + 1) : 0);
        schedule(Math.max(0, next - (System.nanoTime() - finished.startNanos())));
    }

    /** IO event loop: lock-free, allocation-free unless this failure reaches the threshold. */
    void connectFailed() {
        int threshold = checker.passive().consecutiveFailures();
        if (threshold > 0 && trafficFailures.incrementAndGet() == threshold) {
            try {
                loop.execute(this::trafficThresholdReached);
            } catch (RejectedExecutionException shuttingDown) {
                // the health loop is stopping with the daemon: nothing left to mark
            }
        }
    }

    /** IO event loop: resets the run of failures; a plain read when there is none. */
    void connectSucceeded() {
        if (trafficFailures.get() != 0) {
            trafficFailures.set(0);
        }
    }

    private void trafficThresholdReached() {
        trafficFailures.set(0);
        if (stopped) {
            return;
        }
        int threshold = checker.passive().consecutiveFailures();
        long ejection = checker.passive().ejection().toNanos();
        String cause = state.onTrafficFailures(threshold, ejection, checker.nanoClock().getAsLong());
        if (cause == null) {
            return;
        }
        transition(backend, cause);
        if (checker.check() == null) {
            // No active checks to bring it back: the end of the ejection does.
            scheduleEjectionEnd(ejection);
        }
    }

    private void scheduleEjectionEnd(long delayNanos) {
        ejectionTimer = loop.schedule(this::ejectionTimerFired, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void ejectionTimerFired() {
        ejectionTimer = null;
        if (stopped) {
            return;
        }
        long now = checker.nanoClock().getAsLong();
        String cause = state.onEjectionTimer(checker.passive().ejection(), now);
        if (cause != null) {
            transition(backend, cause);
        } else if (state.ejected()) {
            scheduleEjectionEnd(state.ejectionLeft(now)); // the injected clock has not got there yet
        }
    }

    private void transition(Backend current, String cause) {
        boolean nowUp = state.up();
        up = nowUp;
        log.info("{}/{} ({}:{}) {} -> {}: {}", checker.pool(), current.name(), current.address().getHostString(),
                current.address().getPort(), nowUp ? "DOWN" : "UP", nowUp ? "UP" : "DOWN", cause);
        checker.reportChanged(current, nowUp, cause);
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            // the loop is shutting down: its timers and channels go with it
        }
    }
}
