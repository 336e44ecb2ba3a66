package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Promise;
import io.sluice.pool.Pool;
import io.sluice.transport.Descriptors;
import io.sluice.transport.HalfClose;
import io.sluice.transport.SocketClose;
import java.net.InetSocketAddress;

/**
 * A {@link Connection} relayed by two Netty channels: the state both relay handlers share.
 *
 * <p>Confined to the client channel's event loop (the backend channel is registered on the same
 * loop), so no field needs synchronisation.
 *
 * <p>Closing rules: a FIN from one side is passed on as a FIN (shutdownOutput) to the other, once
 * everything read before it has been written; when both directions have finished, both channels
 * close. An abort (RST, IO error) on one side resets the other. Idle timeout, shutdown and
 * refusals close both with a FIN. Channels close through {@link ChannelCloses} ({@link SocketClose}:
 * one system call instead of Netty's three); the last FIN is acted on when it is read
 * ({@link #lastFinRead}), before Netty would shut down an input whose socket is already closed
 * both ways. What a finished connection gives back (admission, backend counts, metrics, the access
 * log line) is {@link ConnectionEnd}'s.
 *
 * <p>Handover to another process (docs/handover.md) is {@link ConnectionHandover}'s, beside
 * {@link PausedConnection} and {@link AdoptedConnection}: this class only holds its closes while a
 * handover holds the connection ({@link #held}), and knows that it was handed over.
 */
public final class ChannelConnection extends Connection {

    private final Channel inbound;
    Channel outbound;
    boolean inboundInputDone;
    boolean outboundInputDone;
    /** Bytes the client sent before the backend was connected (only read when the kernel reports EOF). */
    private EarlyBytes early;

    // Handover (ConnectionHandover): while held, no IO runs here and closes wait; once handed over,
    // the sockets belong to the other process and closing our descriptors touches nothing.
    boolean held;
    CloseReason closeWhileHeld;
    /** Another process may hold copies of the descriptors (set by ConnectionHandover.shareDescriptors). */
    boolean sharedDescriptors;

    ChannelConnection(FrontendSettings settings, Channel inbound) {
        this(settings, inbound, (InetSocketAddress) inbound.remoteAddress(), (InetSocketAddress) inbound.localAddress());
    }

    /** With the client and destination known otherwise (a handed-over connection's image). */
    ChannelConnection(FrontendSettings settings, Channel inbound, InetSocketAddress client, InetSocketAddress destination) {
        super(settings, client, destination);
        this.inbound = inbound;
    }

    @Override
    public EventLoop loop() {
        return inbound.eventLoop();
    }

    @Override
    long kernelQuietMillis(TcpInfoReader tcpInfo) {
        return Math.min(tcpInfo.quietMillis(inbound), tcpInfo.quietMillis(outbound));
    }

    @Override
    void pauseForHandover(long id, Promise<PausedConnection> result) {
        ConnectionHandover.pause(this, id, result);
    }

    @Override
    int[] handoverDescriptors(boolean established) {
        return established ? new int[] {Descriptors.of(inbound), Descriptors.of(outbound)} : new int[] {Descriptors.of(inbound)};
    }

    @Override
    void handedOverThere() {
        ConnectionHandover.handedOver(this);
    }

    @Override
    void resumeAfterHandover() {
        ConnectionHandover.resumeHere(this);
    }

    @Override
    void shareDescriptors() {
        ConnectionHandover.shareDescriptors(this);
    }

    public Channel inbound() {
        return inbound;
    }

    Channel outbound() {
        return outbound;
    }

    /** The backend channel being connected (before {@link #established}) or relayed to. */
    void outbound(Channel ch) {
        this.outbound = ch;
    }

    /** The backend connection is up: count it, pin the stick entry, and start relaying both ways. */
    void established(Pool.Selection sel) {
        selected(sel);
        if (early != null) {
            early.writeTo(outbound);
            early = null;
        }
        if (inboundInputDone) {
            ChannelCloses.shutdownOutputAfterFlush(outbound);
        }
        outbound.config().setAutoRead(true);
        if (!inboundInputDone) {
            inbound.config().setAutoRead(true);
        }
    }

    /** Holds client bytes read before the backend is connected (see {@link EarlyBytes}); false past {@code limit}. */
    boolean holdEarly(ByteBuf msg, int limit) {
        if (early == null) {
            early = new EarlyBytes();
        }
        if (!early.hold(msg, limit)) {
            return false;
        }
        bytesUp += msg.readableBytes();
        return true;
    }

    /**
     * The client drained what we queued for it: read from the backend again, unless the backend
     * has sent its FIN. Re-arming reads on a socket whose input is shut down fails in epoll
     * (epoll_ctl ENOENT once the peer has closed), which would turn a clean close into a reset.
     */
    void resumeOutbound() {
        if (!outboundInputDone) {
            outbound.config().setAutoRead(true);
        }
    }

    /** The backend drained what we queued for it: read from the client again, unless it sent FIN. */
    void resumeInbound() {
        if (!inboundInputDone) {
            inbound.config().setAutoRead(true);
        }
    }

    /** The client sent FIN: pass it on to the backend after what was read before it. */
    void inboundInputShutdown() {
        inboundInputDone = true;
        reason(CloseReason.CLIENT_CLOSE);
        if (established) {
            passFinOn(outbound, outboundInputDone);
        }
        // Not connected yet: established() passes the FIN on after the early bytes.
    }

    /** The backend sent FIN: pass it on to the client after what was read before it. */
    void outboundInputShutdown() {
        outboundInputDone = true;
        reason(CloseReason.BACKEND_CLOSE);
        passFinOn(inbound, inboundInputDone);
    }

    /**
     * One side's FIN goes on to {@code to}. If the other direction has finished already, this was
     * the last one: close both after their queued bytes, and the close sends the FIN. Only the
     * first FIN needs a half-close (shutdownOutput), which {@link HalfClose} sends without
     * Netty's exception per call on epoll; the ordinary close of a request/response connection needs one.
     */
    private void passFinOn(Channel to, boolean otherDirectionDone) {
        if (!otherDirectionDone) {
            ChannelCloses.shutdownOutputAfterFlush(to);
            return;
        }
        closing = true;
        if (outbound != null && outbound.isActive() && !(outbound instanceof DuplexChannel d && d.isOutputShutdown())) {
            // finished() (the client's close) closes the backend at once, dropping what it still
            // queues (read with the client's FIN past backpressure): the client closes after.
            outbound.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                closeChannel(outbound);
                closeAfterFlush(inbound);
            });
        } else {
            closeAfterFlush(outbound);
            closeAfterFlush(inbound);
        }
    }

    /**
     * The read that just completed on {@code from} ended at the peer's FIN, and the other direction
     * had finished: the last FIN, so both close now. Netty would first shutdown(SHUT_RD), which fails
     * ENOTCONN on a socket in TIME_WAIT (a NotYetConnectedException with a stack trace per connection);
     * closed here, it makes none. A first FIN is left to Netty; a repeated close changes nothing.
     */
    void lastFinRead(Channel from) {
        if (!established || closing || !HalfClose.endOfStreamRead(from)) {
            return;
        }
        if (from == inbound && outboundInputDone) {
            inboundInputShutdown();
        } else if (from == outbound && inboundInputDone) {
            outboundInputShutdown();
        }
    }

    /** Held for a handover: the sockets may be the other process's any moment now, so the close waits for its outcome. */
    private boolean deferredWhileHeld(CloseReason r) {
        if (held && closeWhileHeld == null) {
            closeWhileHeld = r;
        }
        return held;
    }

    @Override
    void close(CloseReason r) {
        if (deferredWhileHeld(r)) {
            return;
        }
        reason(r);
        closing = true;
        if (outbound != null) {
            closeChannel(outbound);
        }
        closeChannel(inbound);
    }

    /** One side broke: reset the other (SO_LINGER 0), so the peer knows the stream did not end cleanly. */
    void abort(CloseReason r) {
        if (deferredWhileHeld(r)) {
            return;
        }
        if (closing) {
            // Our own close is under way; the channel going inactive is its echo, not an abort.
            return;
        }
        closing = true;
        reason(r);
        Channel other = r == CloseReason.CLIENT_ABORT ? outbound : inbound;
        Channel broken = r == CloseReason.CLIENT_ABORT ? inbound : outbound;
        if (other != null && other.isOpen()) {
            other.config().setOption(ChannelOption.SO_LINGER, 0);
            closeChannel(other);
        }
        if (broken != null) {
            closeChannel(broken);
        }
    }

    private void closeAfterFlush(Channel ch) {
        ChannelCloses.closeAfterFlush(ch, sharedDescriptors);
    }

    private void closeChannel(Channel ch) {
        ChannelCloses.close(ch, sharedDescriptors);
    }

    /** The client channel closed: release everything this connection held, once. */
    void finished() {
        if (idleNanos > 0) {
            IdleSweeper.on(inbound.eventLoop()).remove(this);
        }
        if (outbound != null && outbound.isOpen()) {
            closeChannel(outbound);
        }
        if (early != null) {
            early.release();
            early = null;
        }
        ConnectionEnd.release(this, finalReason(), refusal);
    }
}
