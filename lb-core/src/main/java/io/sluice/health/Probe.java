package io.sluice.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One active check of one backend: connect, let the {@link ActiveCheck} talk, end with exactly one
 * result. Bounded by the timeout twice over: the connect timeout, and a timer for the whole check.
 * The channel is closed however the probe ends (result, timeout, {@link #abort()}).
 *
 * <p>Confined to the backend's health event loop, like the channel it opens.
 */
final class Probe {

    private final BackendHealth owner;
    private final long startNanos = System.nanoTime();
    private Channel channel;
    private ScheduledFuture<?> timer;
    private boolean done;

    Probe(BackendHealth owner) {
        this.owner = owner;
    }

    long startNanos() {
        return startNanos;
    }

    void start(EventLoop loop, Class<? extends SocketChannel> channelClass, ActiveCheck check,
               InetSocketAddress address, long timeoutMillis) {
        timer = loop.schedule(() -> finish(CheckResults.TIMEOUT), timeoutMillis, TimeUnit.MILLISECONDS);
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutMillis)))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        check.initChannel(ch, address, Probe.this);
                        ch.pipeline().addLast(new EndHandler(Probe.this));
                    }
                })
                .connect(address);
        channel = connect.channel();
        if (done) {
            channel.close();
            return;
        }
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                finish(CheckResults.of(f.cause()));
            } else if (check.doneOnConnect()) {
                finish(CheckResults.OK);
            }
        });
    }

    /** Ends the probe with {@code result} (first call wins) and reports it. Health event loop. */
    void finish(String result) {
        if (done) {
            return;
        }
        end();
        owner.probeFinished(this, result);
    }

    /** Ends the probe without a result (the backend was removed or the checker closed). */
    void abort() {
        if (!done) {
            end();
        }
    }

    private void end() {
        done = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (channel != null) {
            channel.close();
        }
    }

    /** Last in every probe pipeline: a close or an error before a result is a failure; stray data is dropped. */
    private static final class EndHandler extends ChannelInboundHandlerAdapter {
        private final Probe probe;

        EndHandler(Probe probe) {
            this.probe = probe;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            probe.finish(CheckResults.CLOSED);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            probe.finish(CheckResults.of(cause));
        }
    }
}
