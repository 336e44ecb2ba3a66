package io.sluice.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Idle timeouts for all the connections of one event loop, by a periodic sweep instead of a timer
 * per connection.
 *
 * <p>Why: a chat node holds tens of thousands of connections that are idle almost all the time. A
 * per-connection {@code IdleStateHandler} costs a handler, a pipeline context and a scheduled task
 * in the loop's timer heap per connection, and re-arms that task on every timeout check. Here a
 * connection costs two list links and two fields, reads mark it with a plain boolean store (no
 * clock read on the data path), and one task per loop looks at every connection once per period.
 *
 * <p>Before closing a connection the flag calls idle, the sweeper asks the kernel (see
 * {@link #kernelQuietNanos}) whether data moved on either socket without Netty noticing.
 *
 * <p>Precision: a connection is closed between {@code idle} and {@code idle + 2 periods} after its
 * last traffic; the period is an eighth of the shortest idle timeout seen, between 10 ms and 1 s.
 *
 * <p>Confined to its event loop's thread: {@link #on} must be called on that thread, and the list
 * is only touched there, so nothing is synchronised.
 */
final class IdleSweeper {

    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final FastThreadLocal<IdleSweeper> PER_LOOP = new FastThreadLocal<>();

    private final EventLoop loop;
    private Connection head;
    private int size;
    private long periodNanos = MAX_PERIOD_NANOS;
    private ScheduledFuture<?> next;
    private final TcpInfoReader tcpInfo = new TcpInfoReader(); // reused: the sweep is single-threaded

    private IdleSweeper(EventLoop loop) {
        this.loop = loop;
    }

    /** The sweeper of {@code loop}; call on that loop's thread. */
    static IdleSweeper on(EventLoop loop) {
        assert loop.inEventLoop();
        IdleSweeper sweeper = PER_LOOP.get();
        if (sweeper == null || sweeper.loop != loop) {
            sweeper = new IdleSweeper(loop);
            PER_LOOP.set(sweeper);
        }
        return sweeper;
    }

    /** Starts watching {@code c}; it counts as active now. */
    void add(Connection c) {
        c.idleSeenNanos = System.nanoTime();
        c.idleActive = false;
        c.idleNext = head;
        if (head != null) {
            head.idlePrev = c;
        }
        head = c;
        size++;
        long wanted = Math.max(MIN_PERIOD_NANOS, Math.min(MAX_PERIOD_NANOS, c.idleNanos / 8));
        if (next == null || wanted < periodNanos) {
            periodNanos = Math.min(periodNanos, wanted);
            if (next != null) {
                next.cancel(false);
            }
            schedule();
        }
    }

    /** Stops watching {@code c} (it closed); safe for a connection that was never added. */
    void remove(Connection c) {
        if (c.idlePrev == null && head != c) {
            return;
        }
        if (c.idlePrev != null) {
            c.idlePrev.idleNext = c.idleNext;
        } else {
            head = c.idleNext;
        }
        if (c.idleNext != null) {
            c.idleNext.idlePrev = c.idlePrev;
        }
        c.idlePrev = null;
        c.idleNext = null;
        size--;
    }

    int size() {
        return size;
    }

    /**
     * How long the kernel has neither sent nor received data on either socket of {@code c}, from
     * TCP_INFO; {@code Long.MAX_VALUE} where that cannot be read (NIO, a closed socket).
     *
     * <p>Why: the read flag misses one kind of traffic. A slow reader drains a download that sits
     * in the kernel's send buffer (megabytes on a fast link); the relay sees no event until half of it
     * is gone, yet every second bytes leave and acknowledgements come back. Asked only of the
     * connections the flag calls idle, so the syscall is paid by the ones about to be closed.
     */
    private long kernelQuietNanos(Connection c) {
        long quietMillis = c.kernelQuietMillis(tcpInfo);
        return quietMillis == Long.MAX_VALUE ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(quietMillis);
    }

    private void schedule() {
        next = loop.schedule(this::sweep, periodNanos, TimeUnit.NANOSECONDS);
    }

    private void sweep() {
        long now = System.nanoTime();
        Connection c = head;
        while (c != null) {
            Connection following = c.idleNext; // closing c may unlink it
            if (c.idleActive) {
                c.idleActive = false;
                c.idleSeenNanos = now;
            } else if (now - c.idleSeenNanos >= c.idleNanos) {
                long quiet = kernelQuietNanos(c);
                if (quiet < c.idleNanos) {
                    c.idleSeenNanos = now - quiet;
                } else {
                    remove(c);
                    c.close(CloseReason.IDLE_TIMEOUT);
                }
            }
            c = following;
        }
        if (head == null) {
            next = null; // re-armed by the next add
            periodNanos = MAX_PERIOD_NANOS;
        } else {
            schedule();
        }
    }
}
