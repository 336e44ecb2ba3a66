package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.sluice.accesslog.AccessLog;
import io.sluice.backend.Backend;
import io.sluice.pool.Pool;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * One client connection and its backend connection: the state both relay handlers share.
 *
 * <p>Confined to the client channel's event loop (the backend channel is registered on the same
 * loop), so no field needs synchronisation. "Inbound" is the client side (Envoy's downstream),
 * "outbound" the backend side (upstream).
 *
 * <p>Closing rules: a FIN from one side is passed on as a FIN (shutdownOutput) to the other, once
 * everything read before it has been written; when both directions have finished, both channels
 * close. An abort (RST, IO error) on one side resets the other. Idle timeout, shutdown and
 * refusals close both with a FIN.
 *
 * <p>Handover to another process (docs/handover.md): on the old side {@link #pause} stops all IO
 * here, then either {@link #handedOver} drops this process's share or {@link #resumeHere} serves it
 * on; on the new side the adoption constructor and {@link #startAdopted} take over the identity,
 * counters and unwritten bytes.
 */
public final class Connection {

    private final FrontendSettings settings;
    private final Channel inbound;
    private long startNanos = System.nanoTime();
    // Written once on the event loop; volatile because the admin API lists connections from its own thread.
    private volatile InetSocketAddress client;
    private InetSocketAddress destination;
    private volatile Pool pool;
    private volatile String serverName;

    private Channel outbound;
    private volatile Pool.Selection selection;
    private boolean globalAdmitted;
    private boolean sourceAdmitted;
    private volatile boolean established;
    private boolean inboundInputDone;
    private boolean outboundInputDone;
    private CloseReason reason;
    private boolean closing;
    /** Bytes the client sent before the backend was connected (only read when the kernel reports EOF). */
    private ArrayDeque<Object> early;
    private int earlyBytes;
    // Plain fields: written only on the event loop; the admin API's reads may be slightly stale.
    long bytesUp;
    long bytesDown;
    /** Bytes an earlier process already counted in its metrics (adopted connections); 0 otherwise. */
    private long bytesUpCounted;
    private long bytesDownCounted;

    // Handover (docs/handover.md): while held, no IO runs here and closes wait; once handed over,
    // the sockets belong to the other process and closing our descriptors touches nothing.
    private boolean held;
    private CloseReason closeWhileHeld;
    private boolean handedOver;

    // Idle timeout bookkeeping, owned by the loop's IdleSweeper (see there); 0 nanos: no timeout.
    final long idleNanos;
    /** Set by every read and writability change; cleared by the sweeper when it notes the time. */
    boolean idleActive;
    long idleSeenNanos;
    Connection idlePrev;
    Connection idleNext;

    Connection(FrontendSettings settings, Channel inbound) {
        this.settings = settings;
        this.inbound = inbound;
        this.client = (InetSocketAddress) inbound.remoteAddress();
        this.destination = (InetSocketAddress) inbound.localAddress();
        this.idleNanos = settings.idle().toNanos();
    }

    /** An established connection another process handed over (see {@link AdoptedConnection}). */
    Connection(FrontendSettings settings, Channel inbound, ConnectionImage image, InetSocketAddress client,
               InetSocketAddress destination, Pool pool) {
        this.settings = settings;
        this.inbound = inbound;
        this.client = client;
        this.destination = destination;
        this.idleNanos = settings.idle().toNanos();
        this.startNanos = image.startNanos();
        this.pool = pool;
        this.serverName = image.serverName();
        this.bytesUp = image.bytesUp();
        this.bytesDown = image.bytesDown();
        this.bytesUpCounted = image.bytesUp();
        this.bytesDownCounted = image.bytesDown();
        this.inboundInputDone = image.clientFinSeen();
        this.outboundInputDone = image.backendFinSeen();
    }

    public Channel inbound() {
        return inbound;
    }

    /** The client: the socket's peer, or the address a trusted PROXY header carried. */
    public InetSocketAddress client() {
        return client;
    }

    /** The address the client connected to (from the PROXY header when there was one). */
    public InetSocketAddress destination() {
        return destination;
    }

    /** The pool this connection was routed to, or null before routing. */
    public Pool pool() {
        return pool;
    }

    /** The SNI the client sent (tls listeners), or null. */
    public String serverName() {
        return serverName;
    }

    public String listener() {
        return settings.listener();
    }

    /** The backend, once the relay is established; else null. */
    public Backend backend() {
        return established ? selection.backend() : null;
    }

    public long bytesUp() {
        return bytesUp;
    }

    public long bytesDown() {
        return bytesDown;
    }

    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    FrontendSettings settings() {
        return settings;
    }

    Channel outbound() {
        return outbound;
    }

    /** The backend channel being connected (before {@link #established}) or relayed to. */
    void outbound(Channel ch) {
        this.outbound = ch;
    }

    void globalAdmitted() {
        globalAdmitted = true;
        settings.tracker().add(this);
    }

    /** Adopted from another process: counted against the limits without a check, it is open already. */
    void globalAdmittedHandedOver() {
        admittedHandedOver(startNanos, true);
    }

    /**
     * Handed over by another process, which had admitted it: counted against the global limit (and
     * the source limit when the source was known there) without a check, with its original start.
     */
    void admittedHandedOver(long acceptedNanos, boolean sourceKnown) {
        this.startNanos = acceptedNanos;
        settings.metrics().adopted(settings.listener());
        settings.limiter().acquireHandedOver(sourceKnown ? client.getAddress() : null);
        globalAdmitted = true;
        sourceAdmitted = sourceKnown;
        settings.tracker().add(this);
    }

    void sourceAdmitted() {
        sourceAdmitted = true;
    }

    /** A trusted PROXY header named the real client (before source admission). */
    void resolved(ClientAddressResolved r) {
        this.client = r.client();
        this.destination = r.destination();
    }

    void routed(Pool chosen, String sni) {
        this.pool = chosen;
        this.serverName = sni;
    }

    boolean isEstablished() {
        return established;
    }

    /** The backend connection is up: count it, pin the stick entry, and start relaying both ways. */
    void established(Pool.Selection sel) {
        this.selection = sel;
        this.established = true;
        sel.backend().connectionOpened();
        if (sel.stickEntry() != null) {
            sel.stickEntry().pin();
        }
        if (early != null) {
            Object msg;
            while ((msg = early.poll()) != null) {
                outbound.write(msg, outbound.voidPromise());
            }
            early = null;
            outbound.flush();
        }
        if (inboundInputDone) {
            shutdownOutputAfterFlush(outbound);
        }
        outbound.config().setAutoRead(true);
        if (!inboundInputDone) {
            inbound.config().setAutoRead(true);
        }
    }

    /**
     * Holds client bytes read before the backend is connected. AUTO_READ is off until then, so this
     * only happens when the transport reads to see an EOF (epoll does on RDHUP): the client sent its
     * data and FIN at once, as {@code echo hi | nc} does. Bounded: past {@code limit} the client is
     * closed, since nothing legitimate sends that much before we read.
     *
     * @return false if the limit was exceeded (the message is released and the caller should close)
     */
    boolean holdEarly(ByteBuf msg, int limit) {
        if (earlyBytes + msg.readableBytes() > limit) {
            msg.release();
            return false;
        }
        if (early == null) {
            early = new ArrayDeque<>(4);
        }
        earlyBytes += msg.readableBytes();
        bytesUp += msg.readableBytes();
        early.add(msg);
        return true;
    }

    boolean isClosing() {
        return closing;
    }

    /** Records why the connection ends; the first reason wins. */
    void reason(CloseReason r) {
        if (reason == null) {
            reason = r;
        }
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
     * first FIN needs a half-close (shutdownOutput), which in Netty costs an exception with a
     * stack trace per call; the ordinary close of a request/response connection avoids one.
     */
    private void passFinOn(Channel to, boolean otherDirectionDone) {
        if (otherDirectionDone) {
            closing = true;
            closeAfterFlush(outbound);
            closeAfterFlush(inbound);
        } else {
            shutdownOutputAfterFlush(to);
        }
    }

    private static void shutdownOutputAfterFlush(Channel ch) {
        // shutdownOutput() fails writes still queued, so wait for everything before it to be written.
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && ch instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            }
        });
    }

    /**
     * Closes both sides now (FIN), dropping what is still queued: used for idle timeout, shutdown,
     * refusals and admin kills, where a peer that does not read must not keep the connection.
     * Safe to call repeatedly.
     */
    void close(CloseReason r) {
        if (held) {
            // The sockets may belong to the other process any moment now: decide after the handover.
            if (closeWhileHeld == null) {
                closeWhileHeld = r;
            }
            return;
        }
        reason(r);
        closing = true;
        if (outbound != null) {
            outbound.close();
        }
        inbound.close();
    }

    /** Closes both sides now, for {@code reason}; any thread may schedule it, it must run on the event loop. */
    public void closeNow(CloseReason reason) {
        close(reason);
    }

    /** One side broke: reset the other (SO_LINGER 0), so the peer knows the stream did not end cleanly. */
    void abort(CloseReason r) {
        if (held) {
            if (closeWhileHeld == null) {
                closeWhileHeld = r;
            }
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
            other.close();
        }
        if (broken != null) {
            broken.close();
        }
    }

    private static void closeAfterFlush(Channel ch) {
        if (ch == null || !ch.isOpen()) {
            return;
        }
        // A channel whose output is shut down has nothing left to flush (and a write would fail).
        boolean outputOpen = !(ch instanceof DuplexChannel duplex) || !duplex.isOutputShutdown();
        if (ch.isActive() && outputOpen) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    // ---- handover (docs/handover.md) ----------------------------------------------------------

    /**
     * Starts handing this connection over: stops IO on it in this process and completes
     * {@code result} with what the other process needs, or with null when it cannot go now (it is
     * closing, or connecting to a backend: offered again later). Runs on the event loop.
     *
     * <p>Two steps because Netty deregisters a channel in a later task: reads stop first, then the
     * epoll registrations go, and only then, with no event left to change it, is the state read.
     */
    void pause(long id, Promise<PausedConnection> result) {
        if (!canHandOver() || held) {
            result.setSuccess(null);
            return;
        }
        held = true;
        inbound.config().setAutoRead(false);
        inbound.flush();
        if (established) {
            outbound.config().setAutoRead(false);
            outbound.flush();
        }
        ChannelFuture inboundGone = inbound.deregister();
        ChannelFuture last = established ? outbound.deregister() : inboundGone;
        last.addListener(f -> finishPause(id, result));
        // (If the handover thread stops waiting, it resumes what completes late: see HandOff.pause.)
    }

    private boolean canHandOver() {
        if (closing || !inbound.isActive()) {
            return false;
        }
        if (!established) {
            // In its prelude (no backend yet), with the raw bytes on tape to replay elsewhere.
            return outbound == null && !inboundInputDone && inbound.pipeline().get(PreludeTape.class) != null;
        }
        return outbound.isActive() && !(inboundInputDone && outboundInputDone);
    }

    private void finishPause(long id, Promise<PausedConnection> result) {
        try {
            capture(id, result);
        } catch (RuntimeException e) {
            resumeHere(); // never leave it paused: it goes on here
            result.tryFailure(e);
        }
    }

    private void capture(long id, Promise<PausedConnection> result) {
        if (!canHandOver() || inbound.isRegistered() || (established && outbound.isRegistered())) {
            resumeHere(); // something changed while the registrations went: it stays here
            result.setSuccess(null);
            return;
        }
        if (idleNanos > 0) {
            IdleSweeper.on(inbound.eventLoop()).remove(this);
        }
        ByteBuf replay = Unpooled.EMPTY_BUFFER;
        if (!established) {
            inbound.pipeline().fireUserEventTriggered(HandoverEvent.PAUSE);
            replay = inbound.pipeline().get(PreludeTape.class).copy();
        }
        ByteBuf toClient = OutboundQueue.copy(inbound);
        ByteBuf toBackend = established ? OutboundQueue.copy(outbound) : Unpooled.EMPTY_BUFFER;
        ConnectionImage image = new ConnectionImage(id, established, settings.listener(),
                AddressText.of(client), AddressText.of(destination),
                established ? pool.name() : null, established ? selection.backend().name() : null, serverName,
                startNanos, System.nanoTime(), bytesUp, bytesDown, inboundInputDone, outboundInputDone,
                toClient.readableBytes(), toBackend.readableBytes(), replay.readableBytes());
        result.setSuccess(new PausedConnection(this, image, toClient, toBackend, replay));
    }

    /**
     * The other process acknowledged it: it owns the sockets now. Drops our queued bytes (it has
     * its own copy; failing the writes also keeps a pending half-close from running here) and
     * closes our descriptors, which only drops this process's references. Event loop.
     */
    void handedOver() {
        handedOver = true;
        held = false;
        closing = true;
        if (!established) {
            // A deregistered channel's pipeline is never torn down by close: remove the prelude
            // handlers now so their buffers (tape, sniffer, decoder) are released. From the last to
            // the first, so a decoder's leftover bytes reach only the pipeline's end, not the sniffer.
            while (inbound.pipeline().last() != null) {
                inbound.pipeline().removeLast();
            }
        }
        OutboundQueue.discard(inbound);
        if (outbound != null) {
            OutboundQueue.discard(outbound);
            outbound.close();
        }
        inbound.close();
    }

    /** The handover of this connection did not happen (the other process died or refused it): serve it on. */
    void resumeHere() {
        if (!held) {
            return;
        }
        held = false;
        EventLoop loop = inbound.eventLoop();
        if (!inbound.isRegistered()) {
            loop.register(inbound);
        }
        if (outbound != null && !outbound.isRegistered()) {
            loop.register(outbound);
        }
        if (idleNanos > 0) {
            IdleSweeper sweeper = IdleSweeper.on(loop);
            sweeper.remove(this); // a no-op unless still listed (a pause that stopped early)
            sweeper.add(this);
        }
        if (!established) {
            inbound.pipeline().fireUserEventTriggered(HandoverEvent.RESUME);
            inbound.read();
        } else {
            inbound.flush();
            outbound.flush();
            if (!inboundInputDone && outbound.isWritable()) {
                inbound.config().setAutoRead(true);
            }
            if (!outboundInputDone && inbound.isWritable()) {
                outbound.config().setAutoRead(true);
            }
        }
        if (closeWhileHeld != null) {
            CloseReason r = closeWhileHeld;
            closeWhileHeld = null;
            if (r == CloseReason.CLIENT_ABORT || r == CloseReason.BACKEND_ABORT) {
                abort(r);
            } else {
                close(r);
            }
        }
    }

    /**
     * Starts relaying an adopted connection (see {@link AdoptedConnection}), on the client's event
     * loop with both channels registered: the bytes the other process had not written yet go
     * first, then a FIN it still owed, then reads resume.
     */
    void startAdopted(Channel backendChannel, Pool.Selection sel, ByteBuf toClient,
                      ByteBuf toBackend) {
        this.outbound = backendChannel;
        this.selection = sel;
        this.established = true;
        sel.backend().connectionOpened();
        if (sel.stickEntry() != null) {
            sel.stickEntry().pin();
        }
        if (idleNanos > 0) {
            IdleSweeper.on(inbound.eventLoop()).add(this);
        }
        if (!inbound.isActive() || !outbound.isActive()) {
            toClient.release();
            toBackend.release();
            abort(inbound.isActive() ? CloseReason.BACKEND_ABORT : CloseReason.CLIENT_ABORT);
            return;
        }
        writePending(inbound, toClient);
        writePending(outbound, toBackend);
        if (inboundInputDone) {
            shutdownOutputAfterFlush(outbound);
        }
        if (outboundInputDone) {
            shutdownOutputAfterFlush(inbound);
        }
        if (!inboundInputDone && outbound.isWritable()) {
            inbound.config().setAutoRead(true);
        }
        if (!outboundInputDone && inbound.isWritable()) {
            outbound.config().setAutoRead(true);
        }
    }

    private static void writePending(Channel ch, ByteBuf bytes) {
        if (bytes.isReadable()) {
            ch.writeAndFlush(bytes, ch.voidPromise());
        } else {
            bytes.release();
        }
    }

    /** The client channel closed: release everything this connection held, once. */
    void finished() {
        if (idleNanos > 0) {
            IdleSweeper.on(inbound.eventLoop()).remove(this);
        }
        if (outbound != null && outbound.isOpen()) {
            outbound.close();
        }
        if (early != null) {
            early.forEach(ReferenceCountUtil::release);
            early = null;
        }
        if (sourceAdmitted) {
            settings.limiter().releaseSource(client.getAddress());
        }
        if (globalAdmitted) {
            settings.limiter().releaseGlobal();
            settings.tracker().remove(this);
        }
        String backendName = null;
        if (established) {
            selection.backend().connectionClosed(bytesUp - bytesUpCounted, bytesDown - bytesDownCounted);
            if (selection.stickEntry() != null) {
                selection.stickEntry().unpin();
            }
            backendName = selection.backend().name();
        }
        CloseReason finalReason = handedOver ? CloseReason.HANDED_OVER
                : reason == null ? CloseReason.CLIENT_ABORT : reason;
        settings.metrics().closed(settings.listener(), finalReason.word());
        if (pool != null) {
            settings.metrics().bytes(pool.name(), bytesUp - bytesUpCounted, bytesDown - bytesDownCounted);
        }
        // A handed-over connection goes on in the other process, which logs it once, when it ends.
        if (handedOver || !settings.accessLog().enabled()) {
            return;
        }
        settings.accessLog().log(new AccessLog.Entry(
                Instant.now(),
                settings.listener(),
                client.getAddress().getHostAddress() + ":" + client.getPort(),
                serverName,
                pool == null ? null : pool.name(),
                backendName,
                bytesUp,
                bytesDown,
                age().toMillis(),
                finalReason.word()));
    }
}
