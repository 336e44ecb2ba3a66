package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.sluice.pool.Pool;
import io.sluice.prelude.HandoverEvent;
import java.net.InetSocketAddress;

/**
 * The handover half of a {@link ChannelConnection} (docs/handover.md). On the old side {@link #pause}
 * stops all IO and captures the connection's image, then either {@link #handedOver} drops this
 * process's share or {@link #resumeHere} serves it on; on the new side {@link #adopted} and
 * {@link #startAdopted} take over the identity, counters and unwritten bytes.
 *
 * <p>Every method runs on the connection's event loop (the callers, {@link PausedConnection} and
 * {@link AdoptedConnection}, schedule them there), which is what lets it read and write the
 * connection's fields without synchronisation.
 */
final class ConnectionHandover {

    private ConnectionHandover() {}

    // ---- new side ---------------------------------------------------------------------------

    /** An established connection another process handed over, with its identity and counters. */
    static ChannelConnection adopted(FrontendSettings settings, Channel inbound, ConnectionImage image,
                              InetSocketAddress client, InetSocketAddress destination, Pool pool) {
        ChannelConnection c = new ChannelConnection(settings, inbound, client, destination);
        c.startNanos = image.startNanos();
        c.pool = pool;
        c.serverName = image.serverName();
        c.bytesUp = image.bytesUp();
        c.bytesDown = image.bytesDown();
        // The other process counted these in its metrics already.
        c.bytesUpCounted = image.bytesUp();
        c.bytesDownCounted = image.bytesDown();
        c.inboundInputDone = image.clientFinSeen();
        c.outboundInputDone = image.backendFinSeen();
        return c;
    }

    /**
     * Handed over by another process, which had admitted it: counted against the global limit (and
     * the source limit when the source was known there) without a check, with its original start.
     */
    static void admitted(ChannelConnection c, long acceptedNanos, boolean sourceKnown) {
        FrontendSettings settings = c.settings();
        c.startNanos = acceptedNanos;
        settings.metrics().adopted(settings.listener());
        settings.limiter().acquireHandedOver(sourceKnown ? c.client.getAddress() : null);
        c.globalAdmitted = true;
        c.sourceAdmitted = sourceKnown;
        settings.tracker().add(c);
    }

    /**
     * Starts relaying an adopted connection (see {@link AdoptedConnection}), with both channels
     * registered: the bytes the other process had not written yet go first, then a FIN it still
     * owed, then reads resume.
     */
    static void startAdopted(ChannelConnection c, Channel backendChannel, Pool.Selection sel, ByteBuf toClient,
                             ByteBuf toBackend) {
        Channel inbound = c.inbound();
        c.outbound = backendChannel;
        c.selected(sel);
        if (c.idleNanos > 0) {
            IdleSweeper.on(inbound.eventLoop()).add(c);
        }
        if (!inbound.isActive() || !backendChannel.isActive()) {
            toClient.release();
            toBackend.release();
            c.abort(inbound.isActive() ? CloseReason.BACKEND_ABORT : CloseReason.CLIENT_ABORT);
            return;
        }
        writePending(inbound, toClient);
        writePending(backendChannel, toBackend);
        if (c.inboundInputDone) {
            ChannelCloses.shutdownOutputAfterFlush(backendChannel);
        }
        if (c.outboundInputDone) {
            ChannelCloses.shutdownOutputAfterFlush(inbound);
        }
        resumeReads(c);
    }

    private static void writePending(Channel ch, ByteBuf bytes) {
        if (bytes.isReadable()) {
            ch.writeAndFlush(bytes, ch.voidPromise());
        } else {
            bytes.release();
        }
    }

    // ---- old side ---------------------------------------------------------------------------

    /**
     * Starts handing {@code c} over: stops IO on it in this process and completes {@code result}
     * with what the other process needs, or with null when it cannot go now (it is closing, or
     * connecting to a backend: offered again later).
     *
     * <p>Two steps because Netty deregisters a channel in a later task: reads stop first, then the
     * epoll registrations go, and only then, with no event left to change it, is the state read.
     */
    static void pause(ChannelConnection c, long id, Promise<PausedConnection> result) {
        if (!canHandOver(c) || c.held) {
            result.setSuccess(null);
            return;
        }
        c.held = true;
        Channel inbound = c.inbound();
        inbound.config().setAutoRead(false);
        inbound.flush();
        if (c.established) {
            c.outbound.config().setAutoRead(false);
            c.outbound.flush();
        }
        ChannelFuture inboundGone = inbound.deregister();
        ChannelFuture last = c.established ? c.outbound.deregister() : inboundGone;
        last.addListener(f -> finishPause(c, id, result));
        // (If the handover thread stops waiting, it resumes what completes late: see HandOffRounds.pause.)
    }

    private static boolean canHandOver(ChannelConnection c) {
        Channel inbound = c.inbound();
        if (c.closing || !inbound.isActive()) {
            return false;
        }
        if (!c.established) {
            // In its prelude (no backend yet), with the raw bytes on tape to replay elsewhere.
            return c.outbound == null && !c.inboundInputDone && inbound.pipeline().get(PreludeTape.class) != null;
        }
        return c.outbound.isActive() && !(c.inboundInputDone && c.outboundInputDone);
    }

    private static void finishPause(ChannelConnection c, long id, Promise<PausedConnection> result) {
        try {
            capture(c, id, result);
        } catch (RuntimeException e) {
            resumeHere(c); // never leave it paused: it goes on here
            result.tryFailure(e);
        }
    }

    private static void capture(ChannelConnection c, long id, Promise<PausedConnection> result) {
        Channel inbound = c.inbound();
        boolean established = c.established;
        if (!canHandOver(c) || inbound.isRegistered() || (established && c.outbound.isRegistered())) {
            resumeHere(c); // something changed while the registrations went: it stays here
            result.setSuccess(null);
            return;
        }
        if (c.idleNanos > 0) {
            IdleSweeper.on(inbound.eventLoop()).remove(c);
        }
        ByteBuf replay = Unpooled.EMPTY_BUFFER;
        if (!established) {
            inbound.pipeline().fireUserEventTriggered(HandoverEvent.PAUSE);
            replay = inbound.pipeline().get(PreludeTape.class).copy();
        }
        ByteBuf toClient = OutboundQueue.copy(inbound);
        ByteBuf toBackend = established ? OutboundQueue.copy(c.outbound) : Unpooled.EMPTY_BUFFER;
        ConnectionImage image = new ConnectionImage(id, established, c.listener(),
                AddressText.of(c.client), AddressText.of(c.destination),
                established ? c.pool.name() : null, established ? c.selection.backend().name() : null, c.serverName,
                c.startNanos, System.nanoTime(), c.bytesUp, c.bytesDown, c.inboundInputDone, c.outboundInputDone,
                toClient.readableBytes(), toBackend.readableBytes(), replay.readableBytes());
        result.setSuccess(new PausedConnection(c, image, toClient, toBackend, replay));
    }

    /**
     * The other process acknowledged it: it owns the sockets now. Drops our queued bytes (it has
     * its own copy; failing the writes also keeps a pending half-close from running here) and
     * closes our descriptors, which only drops this process's references.
     */
    static void handedOver(ChannelConnection c) {
        Channel inbound = c.inbound();
        c.handedOver = true;
        c.held = false;
        c.closing = true;
        // The sockets live on in the other process: this close must only drop our descriptors.
        removeShutdownOnClose(inbound);
        if (c.outbound != null) {
            removeShutdownOnClose(c.outbound);
        }
        if (!c.established) {
            // A deregistered channel's pipeline is never torn down by close: remove the prelude
            // handlers now so their buffers (tape, sniffer, decoder) are released. From the last to
            // the first, so a decoder's leftover bytes reach only the pipeline's end, not the sniffer.
            while (inbound.pipeline().last() != null) {
                inbound.pipeline().removeLast();
            }
        }
        OutboundQueue.discard(inbound);
        if (c.outbound != null) {
            OutboundQueue.discard(c.outbound);
            c.outbound.close();
        }
        inbound.close();
    }

    /**
     * Another process may hold copies of {@code c}'s descriptors: closes here shut the sockets down
     * first. Also on the prelude's future pipeline, since the channel is the same. Event loop.
     */
    static void shareDescriptors(ChannelConnection c) {
        c.sharedDescriptors = true;
        addShutdownOnClose(c.inbound());
        if (c.outbound != null) {
            addShutdownOnClose(c.outbound);
        }
    }

    private static void removeShutdownOnClose(Channel ch) {
        if (ch.pipeline().get(ShutdownOnClose.class) != null) {
            ch.pipeline().remove(ShutdownOnClose.INSTANCE);
        }
    }

    private static void addShutdownOnClose(Channel ch) {
        if (ch.pipeline().get(ShutdownOnClose.class) == null) {
            ch.pipeline().addFirst(ShutdownOnClose.INSTANCE);
        }
    }

    /** The handover of {@code c} did not happen (the other process died or refused it): serve it on. */
    static void resumeHere(ChannelConnection c) {
        if (!c.held) {
            return;
        }
        c.held = false;
        Channel inbound = c.inbound();
        Channel outbound = c.outbound;
        EventLoop loop = inbound.eventLoop();
        if (!inbound.isRegistered()) {
            loop.register(inbound);
        }
        if (outbound != null && !outbound.isRegistered()) {
            loop.register(outbound);
        }
        if (c.idleNanos > 0) {
            IdleSweeper sweeper = IdleSweeper.on(loop);
            sweeper.remove(c); // a no-op unless still listed (a pause that stopped early)
            sweeper.add(c);
        }
        if (!c.established) {
            inbound.pipeline().fireUserEventTriggered(HandoverEvent.RESUME);
            inbound.read();
        } else {
            inbound.flush();
            outbound.flush();
            resumeReads(c);
        }
        if (c.closeWhileHeld != null) {
            CloseReason r = c.closeWhileHeld;
            c.closeWhileHeld = null;
            if (r == CloseReason.CLIENT_ABORT || r == CloseReason.BACKEND_ABORT) {
                c.abort(r);
            } else {
                c.close(r);
            }
        }
    }

    /** Reads resume in each direction that has not seen its FIN and whose other side can take more. */
    private static void resumeReads(ChannelConnection c) {
        if (!c.inboundInputDone && c.outbound.isWritable()) {
            c.inbound().config().setAutoRead(true);
        }
        if (!c.outboundInputDone && c.inbound().isWritable()) {
            c.outbound.config().setAutoRead(true);
        }
    }
}
