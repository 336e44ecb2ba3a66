package io.sluice.handover;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.ReferenceCountUtil;
import io.sluice.transport.Descriptors;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The two UNIX-socket connections of one handover, seen from a thread that may block (never an
 * event loop): frames on the control connection, descriptors on the other. Netty reads either
 * bytes or descriptors on a domain socket, not both, hence two connections; each keeps its order,
 * and the protocol says how many descriptors follow each frame.
 *
 * <p>Both sides queue what their event loop reads; {@link #receive} and
 * {@link #receiveDescriptors} take from the queues with a timeout, and a closed connection shows up
 * as a {@link HandoverException} once everything it delivered before closing has been taken.
 */
final class Link implements AutoCloseable {

    private static final Object CLOSED = new Object();

    private final BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
    private final BlockingQueue<Object> descriptors = new LinkedBlockingQueue<>();
    private volatile Channel control;
    private volatile Channel descriptorChannel;
    private volatile String failure;

    /** Inbound handler of the control connection: decoded frames go to the queue. */
    ChannelInboundHandlerAdapter frameQueue() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    frames.add(Wire.Frame.decode((ByteBuf) msg));
                } catch (HandoverException e) {
                    failure = e.getMessage();
                    frames.add(CLOSED);
                    ctx.close();
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                frames.add(CLOSED);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failure = cause.getMessage();
                ctx.close();
            }
        };
    }

    /** Inbound handler of the descriptor connection (the new process's end). */
    ChannelInboundHandlerAdapter descriptorQueue() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FileDescriptor fd) {
                    descriptors.add(fd);
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                descriptors.add(CLOSED);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        };
    }

    void control(Channel ch) {
        this.control = ch;
    }

    void descriptorChannel(Channel ch) {
        this.descriptorChannel = ch;
    }

    boolean hasDescriptorChannel() {
        return descriptorChannel != null;
    }

    Wire.Frame receive(Duration timeout) throws HandoverException {
        Object next = take(frames, timeout, "message");
        if (next == CLOSED) {
            frames.add(CLOSED); // stays closed for any later call
            throw new HandoverException("the other process closed the handover connection"
                    + (failure == null ? "" : " (" + failure + ")"));
        }
        Wire.Frame frame = (Wire.Frame) next;
        if (frame.type() == Wire.Type.REFUSED) {
            throw new HandoverException("the other process refused: " + frame.read(Messages.Refused.class).error());
        }
        return frame;
    }

    /** Receives a frame that must be of {@code type}. */
    Wire.Frame expect(Wire.Type type, Duration timeout) throws HandoverException {
        Wire.Frame frame = receive(timeout);
        if (frame.type() != type) {
            throw new HandoverException("expected " + type + ", got " + frame.type());
        }
        return frame;
    }

    int[] receiveDescriptors(int count, Duration timeout) throws HandoverException {
        int[] fds = new int[count];
        for (int i = 0; i < count; i++) {
            Object next = take(descriptors, timeout, "descriptor");
            if (next == CLOSED) {
                descriptors.add(CLOSED);
                closeAll(fds, i);
                throw new HandoverException("the descriptor connection closed after " + i + " of " + count + " descriptors");
            }
            fds[i] = ((FileDescriptor) next).intValue();
        }
        return fds;
    }

    private static void closeAll(int[] fds, int n) {
        for (int i = 0; i < n; i++) {
            Descriptors.close(fds[i]);
        }
    }


    void send(Wire.Type type, Object message, Duration timeout) throws HandoverException {
        await(control.writeAndFlush(Wire.encode(type, message)), timeout, type.toString());
    }

    /** Sends a BATCH frame; takes ownership of {@code blob}. */
    void sendBatch(Messages.Batch batch, ByteBuf blob, Duration timeout) throws HandoverException {
        await(control.writeAndFlush(Wire.encodeBatch(batch, blob)), timeout, "BATCH");
    }

    /**
     * Passes {@code fds} (SCM_RIGHTS); our copies stay open. Returns once the kernel has them all.
     *
     * <p>Written here, on the handover thread, not through the channel: Netty 4.2's domain socket
     * channel fails the whole channel when sendmsg would block (it does not retry a descriptor on
     * EAGAIN), and a few hundred descriptors fill a UNIX socket's buffer. Nothing else writes on
     * this connection, and the channel still reads it, so a peer that goes away is still noticed.
     */
    void sendDescriptors(int[] fds, Duration timeout) throws HandoverException {
        Socket raw = new Socket(Descriptors.of(descriptorChannel));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < fds.length; i++) {
            while (true) {
                int sent;
                try {
                    sent = raw.sendFd(fds[i]);
                } catch (IOException e) {
                    throw new HandoverException("passing descriptor " + (i + 1) + " of " + fds.length + " failed: "
                            + e.getMessage(), e);
                }
                if (sent > 0) {
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new HandoverException("the other process took no descriptor for " + timeout
                            + " (" + i + " of " + fds.length + " passed)");
                }
                LockSupport.parkNanos(100_000); // its buffer is full: the other side is taking them
            }
        }
    }

    /**
     * Shuts the control connection's read side, so the other process can write nothing more (its
     * writes fail with EPIPE from now on), and returns the frames it wrote before that, in order.
     * Done on the socket itself: Netty's shutdownInput would stop reading what is already queued.
     */
    List<Wire.Frame> stopAndDrain(Duration timeout) {
        List<Wire.Frame> rest = new ArrayList<>();
        Channel ch = control;
        if (ch == null) {
            return rest;
        }
        try {
            new Socket(Descriptors.of(ch)).shutdown(true, false);
        } catch (IOException | RuntimeException e) {
            return rest; // closed already: everything it sent has been queued
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Object next;
            try {
                next = frames.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (next == CLOSED) {
                frames.add(CLOSED);
                break;
            }
            if (next instanceof Wire.Frame f) {
                rest.add(f);
            }
        }
        return rest;
    }

    private static void await(ChannelFuture f, Duration timeout, String what) throws HandoverException {
        if (!f.awaitUninterruptibly(timeout.toMillis())) {
            // Settle it one way or the other before saying it failed: closing the channel fails a
            // write still queued, so afterwards the future tells whether the peer can have it. An
            // ACK that went out after all must count as sent (the peer will act on it).
            f.channel().close().awaitUninterruptibly(timeout.toMillis());
            f.awaitUninterruptibly(timeout.toMillis());
            if (f.isSuccess()) {
                return;
            }
            throw new HandoverException("sending " + what + " did not finish in " + timeout);
        }
        if (!f.isSuccess()) {
            throw new HandoverException("sending " + what + " failed: " + f.cause().getMessage(), f.cause());
        }
    }

    private static Object take(BlockingQueue<Object> queue, Duration timeout, String what) throws HandoverException {
        try {
            Object next = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (next == null) {
                throw new HandoverException("no " + what + " from the other process in " + timeout);
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HandoverException("interrupted while waiting for " + what);
        }
    }

    @Override
    public void close() {
        if (control != null) {
            control.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (descriptorChannel != null) {
            descriptorChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        // Descriptors received but never taken are ours to close.
        Object left;
        while ((left = descriptors.poll()) != null) {
            if (left instanceof FileDescriptor fd) {
                Descriptors.close(fd.intValue());
            }
        }
    }
}
