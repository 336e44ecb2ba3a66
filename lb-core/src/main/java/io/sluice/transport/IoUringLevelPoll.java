package io.sluice.transport;

import io.netty.channel.uring.IoUring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a Netty 4.2.18 io_uring defect that left connections open forever after a client's
 * reset: one-shot POLL_ADD instead of Netty's multishot POLL_ADD for POLLIN.
 *
 * <p>The defect (reproduced with Netty alone by {@code IoUringResetReproducer} in the tests; traced
 * in docs/performance.md, "io_uring"): a channel waiting for input sits on a multishot poll, which
 * reports each wake-up of the socket once. When a client's last bytes and its RST arrive together,
 * that one report covers both; Netty reads the bytes with one RECV whose completion lacks
 * IORING_CQE_F_SOCK_NONEMPTY (the flag counts bytes; a reset leaves none), takes the socket for
 * drained and waits on the poll again. The socket never wakes again, so the channel never hears of
 * the reset: under a TLS load (clients that close with a close_notify unread get reset) over 90%
 * of the connections stayed open with both descriptors until the idle timeout.
 *
 * <p>The repair: {@code io.netty.iouring.pollAddMultishotEnabled=false}, Netty's own switch. A
 * one-shot poll is armed anew for every wait and the kernel checks the socket when it is armed,
 * so a reset that came before is reported at once, as epoll (level-triggered) does. It costs one
 * submission queue entry per wait, no system call (the entries go in the same io_uring_enter).
 * Netty reads the switch once, when its IoUring class loads, so {@link #apply} must run first:
 * {@link Transport}'s class initialiser calls it. An operator's own
 * {@code -Dio.netty.iouring.pollAddMultishotEnabled} wins, with a warning. Remove this class once
 * Netty re-checks the socket before waiting on a multishot poll (IoUringResetTest says when).
 *
 * <p>Thread-safety: {@link #apply} runs once, from Transport's class initialisation.
 */
public final class IoUringLevelPoll {

    /** Netty's switch (io.netty.channel.uring.IoUring): multishot POLL_ADD where the kernel has it. */
    public static final String MULTISHOT_POLL = "io.netty.iouring.pollAddMultishotEnabled";

    private static final Logger log = LoggerFactory.getLogger(IoUringLevelPoll.class);

    private IoUringLevelPoll() {}

    /** Asks Netty for one-shot polls, unless the operator chose; before Netty's IoUring class loads. */
    static void apply() {
        if (System.getProperty(MULTISHOT_POLL) == null) {
            System.setProperty(MULTISHOT_POLL, "false");
        }
    }

    /**
     * Whether io_uring channels wait with one-shot polls here; if not (the operator asked for
     * multishot, or IoUring loaded before {@link Transport}), says once what that risks.
     */
    static boolean inEffect() {
        if (!IoUring.isPollAddMultishotEnabled()) {
            return true;
        }
        log.warn("io_uring with multishot polls ({}={}): Netty 4.2.18 then misses a client's reset that arrives"
                + " with its last bytes, and such connections stay open until the idle timeout",
                MULTISHOT_POLL, System.getProperty(MULTISHOT_POLL, "true"));
        return false;
    }
}
