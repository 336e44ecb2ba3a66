package io.sluice.warmup;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.transport.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The warm-up's clients: {@code total} connections, {@link #IN_FLIGHT} at a time, spread over the
 * targets in turn; each writes its target's payload, reads it back through the relay and the echo
 * backend, and closes. A connection that fails counts as failed and the next one starts; none
 * starts after the deadline.
 *
 * <p>Threads: {@link #run} on the warming thread, which waits; the connections' callbacks on the
 * event loops (hence the atomic counters).
 */
final class WarmupClients {

    /** Connections open at once: enough to keep the loops busy, few enough not to look like a storm. */
    static final int IN_FLIGHT = 32;

    /** Where to connect and what to send there (a class: a record would compare the array by identity). */
    static final class Target {
        private final InetSocketAddress address;
        private final byte[] payload;

        Target(InetSocketAddress address, byte[] payload) {
            this.address = address;
            this.payload = payload.clone();
        }

        InetSocketAddress address() {
            return address;
        }

        byte[] payload() {
            return payload;
        }
    }

    /** How many connections ran to the end, how many failed. */
    record Outcome(int completed, int failed) {}

    private final List<Target> targets;
    private final int total;
    private final long deadlineNanos;
    private final Bootstrap bootstrap;
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    WarmupClients(List<Target> targets, int total, long deadlineNanos, Transport transport, EventLoopGroup group) {
        this.targets = List.copyOf(targets);
        this.total = total;
        this.deadlineNanos = deadlineNanos;
        this.bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(() -> transport.newSocketChannel(InetAddress.getLoopbackAddress()));
    }

    /** Runs them all, or until the deadline (plus a second for the last ones to end); closes what is left. */
    Outcome run() throws InterruptedException {
        for (int i = 0; i < IN_FLIGHT; i++) {
            next();
        }
        long waitNanos = Math.max(0, deadlineNanos - System.nanoTime()) + TimeUnit.SECONDS.toNanos(1);
        try {
            done.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException stillRunning) {
            // The deadline is what ends the warm-up; the stragglers are closed below.
        } finally {
            open.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        return new Outcome(completed.get(), failed.get());
    }

    private void next() {
        int n = started.getAndIncrement();
        if (n >= total || System.nanoTime() - deadlineNanos > 0) {
            if (inFlight.get() == 0) {
                done.complete(null);
            }
            return;
        }
        inFlight.incrementAndGet();
        Target target = targets.get(n % targets.size());
        ChannelFuture connect = bootstrap.clone().handler(new Exchange(target.payload())).connect(target.address());
        open.add(connect.channel());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                finished(false);
            }
        });
    }

    private void finished(boolean ok) {
        (ok ? completed : failed).incrementAndGet();
        inFlight.decrementAndGet();
        next();
    }

    /** One connection: write the payload, read as many bytes back, close; reports when closed. */
    private final class Exchange extends ChannelInboundHandlerAdapter {
        private final byte[] payload;
        private int received;

        Exchange(byte[] payload) {
            this.payload = payload;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(payload));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received += ((ByteBuf) msg).readableBytes();
            ((ByteBuf) msg).release();
            if (received >= payload.length) {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finished(received >= payload.length);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // counted as failed in channelInactive
        }
    }
}
