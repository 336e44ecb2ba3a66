package io.sluice.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.sluice.logging.ThrottledLog;
import io.sluice.metrics.ProxyMetrics;
import io.sluice.transport.DescriptorReserve;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.LoggerFactory;

/**
 * What a listening socket does when accepting fails, almost always because the process ran out of
 * file descriptors (EMFILE) under a connection flood: it stops accepting for a second and says so,
 * once per ten seconds at most, in words an operator can act on. On a data-plane listener it also
 * keeps the {@link DescriptorReserve}: a client accepted into the reserve is closed at once and
 * handled as the same error, so the admin API and health checks always find a descriptor.
 *
 * <p>Why: without it Netty logs a warning with a stack trace for every failed accept ("reached the
 * tail of the pipeline"), thousands a second, while the condition lasts. Pausing (AUTO_READ off on
 * the listening socket) leaves new connections waiting in the kernel's accept queue instead of
 * spinning on accept; they are taken as soon as descriptors are free again. Established
 * connections are not touched.
 *
 * <p>Sits in the listening socket's pipeline before Netty's acceptor; a {@link SocketListener} uses its
 * counting and reports and pauses itself. Runs on the listening socket's event loop only.
 */
public final class AcceptErrors extends ChannelInboundHandlerAdapter {

    /** The {@code reason} of {@code sluice_listener_accept_errors_total} when descriptors ran out. */
    public static final String OUT_OF_DESCRIPTORS = "out-of-descriptors";
    private static final long PAUSE_MILLIS = 1000;
    /** After freeing one of its own descriptors: long enough for the close to be done, short for a queue of clients. */
    private static final long PAUSE_AFTER_FREEING_MILLIS = 20;

    private final String listener;
    private final String hintWhenOutOfFiles;
    /** Null for the admin and handover sockets: they may use the reserve, and have no listener metrics. */
    private final ProxyMetrics metrics;
    /**
     * Run when the process is out of descriptors: frees one of this socket's own (the admin API's
     * oldest connection); false when it had none. Null elsewhere.
     */
    private final BooleanSupplier freeOne;
    private final ThrottledLog log =
            new ThrottledLog(LoggerFactory.getLogger(Listener.class), TimeUnit.SECONDS.toNanos(10));

    AcceptErrors(String listener, ProxyMetrics metrics) {
        this(listener, "the process's open-files limit is reached (a proxied connection uses two descriptors):"
                + " raise LimitNOFILE, or lower limits.max-connections below half of it", metrics, null);
    }

    private AcceptErrors(String listener, String hintWhenOutOfFiles, ProxyMetrics metrics, BooleanSupplier freeOne) {
        this.listener = listener;
        this.hintWhenOutOfFiles = hintWhenOutOfFiles;
        this.metrics = metrics;
        this.freeOne = freeOne;
    }

    /**
     * For the admin API's listening socket: the same pause and throttled report; it may use the
     * reserve, and when even that is used up it runs {@code closeOldest} (closes its oldest
     * connection, false when it has none) and tries again after a moment, so a crowd of idle admin
     * connections cannot keep a new one out.
     */
    public static AcceptErrors forAdmin(BooleanSupplier closeOldest) {
        return new AcceptErrors("admin", "the process's open-files limit is reached: raise LimitNOFILE", null, closeOldest);
    }

    /** For a control-plane socket ({@code name}: handover): the pause and the throttled report. */
    public static AcceptErrors forControl(String name) {
        return new AcceptErrors(name, "the process's open-files limit is reached: raise LimitNOFILE", null, null);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (metrics != null && msg instanceof Channel child && DescriptorReserve.holds(child)) {
            // Not registered yet: nothing but the descriptor to release. The client sees its connection close.
            child.unsafe().closeForcibly();
            pause(ctx, reserveReached());
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        pause(ctx, failed(cause));
    }

    /**
     * A client was accepted into the descriptor reserve (and has been closed): counted and
     * reported. Returns how long to pause accepting, in milliseconds.
     */
    long reserveReached() {
        metrics.acceptFailed(listener, OUT_OF_DESCRIPTORS);
        long limit = DescriptorReserve.limit();
        log.error("listener '{}' cannot accept connections: only the last {} descriptors below the open-files limit ({})"
                + " are free, and they are kept for the admin API and health checks; closed the new connection and"
                + " pausing accepts for {} ms ({})", listener, DescriptorReserve.reserved(limit), limit, PAUSE_MILLIS,
                hintWhenOutOfFiles);
        return PAUSE_MILLIS;
    }

    /** Accepting failed with {@code cause}: counted and reported. Returns how long to pause accepting, in milliseconds. */
    long failed(Throwable cause) {
        String why = String.valueOf(cause.getMessage());
        boolean outOfFiles = why.contains("Too many open files");
        if (metrics != null) {
            metrics.acceptFailed(listener, outOfFiles ? OUT_OF_DESCRIPTORS : "other");
        }
        boolean freed = outOfFiles && freeOne != null && freeOne.getAsBoolean();
        long pause = freed ? PAUSE_AFTER_FREEING_MILLIS : PAUSE_MILLIS;
        String hint = outOfFiles ? hintWhenOutOfFiles : "check the system log";
        log.error("listener '{}' cannot accept connections: {}; {}pausing accepts for {} ms ({})", listener,
                why, freed ? "closed its oldest connection, " : "", pause, hint);
        return pause;
    }

    private static void pause(ChannelHandlerContext ctx, long millis) {
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), millis, TimeUnit.MILLISECONDS);
        }
    }
}
