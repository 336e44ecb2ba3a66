package io.sluice.listener;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
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
 * <p>Runs on the listener's event loop only, so its fields need no synchronisation.
 */
final class AcceptErrors extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final long PAUSE_MILLIS = 1000;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String listener;
    private long nextLogNanos = System.nanoTime();
    private long suppressed;

    AcceptErrors(String listener) {
        this.listener = listener;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
        long now = System.nanoTime();
        if (now - nextLogNanos < 0) {
            suppressed++;
            return;
        }
        nextLogNanos = now + LOG_INTERVAL_NANOS;
        String why = String.valueOf(cause.getMessage());
        String hint = why.contains("Too many open files")
                ? "the process's open-files limit is reached (a proxied connection uses two descriptors):"
                        + " raise LimitNOFILE, or lower limits.max-connections below half of it"
                : "check the system log";
        log.error("listener '{}' cannot accept connections: {}; pausing accepts for {} ms ({}){}", listener,
                why, PAUSE_MILLIS, hint, suppressed > 0 ? "; " + suppressed + " more failures since the last report" : "");
        suppressed = 0;
    }
}
