package io.sluice.listener;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.sluice.logging.ThrottledLog;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * What a listener does when accepting fails, almost always because the process ran out of file
 * descriptors (EMFILE) under a connection flood: it stops accepting for a second and says so, once
 * per ten seconds at most, in words an operator can act on.
 *
 * <p>Why: without it Netty logs a warning with a stack trace for every failed accept ("reached the
 * tail of the pipeline"), thousands a second, while the condition lasts. Pausing (AUTO_READ off on
 * the listening socket) leaves new connections waiting in the kernel's accept queue instead of
 * spinning on accept; they are taken as soon as descriptors are free again. Established
 * connections are not touched.
 *
 */
public final class AcceptErrors extends ChannelInboundHandlerAdapter {

    private static final long PAUSE_MILLIS = 1000;

    private final String listener;
    private final String hintWhenOutOfFiles;
    private final ThrottledLog log =
            new ThrottledLog(LoggerFactory.getLogger(Listener.class), TimeUnit.SECONDS.toNanos(10));

    AcceptErrors(String listener) {
        this(listener, "the process's open-files limit is reached (a proxied connection uses two descriptors):"
                + " raise LimitNOFILE, or lower limits.max-connections below half of it");
    }

    private AcceptErrors(String listener, String hintWhenOutOfFiles) {
        this.listener = listener;
        this.hintWhenOutOfFiles = hintWhenOutOfFiles;
    }

    /** For the admin API's listening socket: the same pause and throttled report. */
    public static AcceptErrors forAdmin() {
        return new AcceptErrors("admin", "the process's open-files limit is reached: raise LimitNOFILE");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
        String why = String.valueOf(cause.getMessage());
        String hint = why.contains("Too many open files") ? hintWhenOutOfFiles : "check the system log";
        log.error("listener '{}' cannot accept connections: {}; pausing accepts for {} ms ({})", listener,
                why, PAUSE_MILLIS, hint);
    }
}
