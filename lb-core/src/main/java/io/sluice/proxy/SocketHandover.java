package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.Promise;

/**
 * The old side of handing a {@link SocketConnection} to another process (docs/handover.md): the
 * same image, descriptors and unwritten bytes a {@link ChannelConnection} gives
 * ({@link ConnectionHandover}), so the other process adopts it as it adopts any connection; one
 * still in its ClientHello goes with its bytes to replay, as a channel's prelude does.
 *
 * <p>Pausing is one step here (a channel's deregistration is a later task in Netty): both sockets
 * are parked in the epoll set (no events but errors and hang-ups, which are ignored while held),
 * and the state is read at once. Every method runs on the connection's event loop.
 */
final class SocketHandover {

    private SocketHandover() {}

    static void pause(SocketConnection c, long id, Promise<PausedConnection> result) {
        if (c.held || !canHandOver(c)) {
            result.setSuccess(null);
            return;
        }
        c.held = true;
        if (c.idleNanos > 0) {
            IdleSweeper.on(c.loop()).remove(c);
        }
        c.clientSide.park();
        if (c.prelude != null) {
            pauseInHello(c, id, result);
            return;
        }
        c.backendSide.park();
        ByteBuf toClient = copy(c.clientSide.pending);
        ByteBuf toBackend = copy(c.backendSide.pending);
        ConnectionImage image = new ConnectionImage(id, true, c.listener(),
                AddressText.of(c.client), AddressText.of(c.destination),
                c.pool.name(), c.selection.backend().name(), c.serverName,
                c.startNanos, System.nanoTime(), c.bytesUp, c.bytesDown, c.clientSide.readEnded, c.backendSide.readEnded,
                toClient.readableBytes(), toBackend.readableBytes(), 0);
        result.setSuccess(new PausedConnection(c, image, toClient, toBackend, Unpooled.EMPTY_BUFFER));
    }

    /**
     * A tls listener's connection still reading its ClientHello: only the client's socket goes,
     * with every byte it sent so far to replay through the other process's sniffer (as a
     * channel's prelude tape). The timers stop here; a resume starts them afresh.
     */
    private static void pauseInHello(SocketConnection c, long id, Promise<PausedConnection> result) {
        c.prelude.stopTimers();
        ByteBuf replay = c.prelude.copyHeld();
        ConnectionImage image = new ConnectionImage(id, false, c.listener(),
                AddressText.of(c.client), AddressText.of(c.destination), null, null, null,
                c.startNanos, System.nanoTime(), 0, 0, false, false, 0, 0, replay.readableBytes());
        result.setSuccess(new PausedConnection(c, image, Unpooled.EMPTY_BUFFER, Unpooled.EMPTY_BUFFER, replay));
    }

    /**
     * Established and relaying, with at least one direction still open; or still reading its
     * ClientHello. Not while its backend is being connected (offered again in a later batch), nor
     * once it is closing.
     */
    private static boolean canHandOver(SocketConnection c) {
        if (c.finished || c.closing) {
            return false;
        }
        if (c.prelude != null) {
            return c.connector == null && c.prelude.inHello();
        }
        return !c.closeWhenFlushed && c.established && c.connector == null
                && c.backendSide != null && !(c.clientSide.readEnded && c.backendSide.readEnded);
    }

    /** The descriptors to pass: the client's, and the backend's once established. */
    static int[] descriptors(SocketConnection c, boolean established) {
        return established ? new int[] {c.clientSide.socket.intValue(), c.backendSide.socket.intValue()}
                : new int[] {c.clientSide.socket.intValue()};
    }

    /** What waits to be written to a socket, copied: this process keeps its own in case it resumes. */
    private static ByteBuf copy(ByteBuf pending) {
        return pending == null ? Unpooled.EMPTY_BUFFER : pending.copy();
    }

    /** The handover of {@code c} did not happen: serve it on, and carry out a close that came meanwhile. */
    static void resume(SocketConnection c) {
        if (!c.held) {
            return;
        }
        c.held = false;
        if (c.idleNanos > 0) {
            IdleSweeper sweeper = IdleSweeper.on(c.loop());
            sweeper.remove(c); // a no-op unless still listed
            sweeper.add(c);
        }
        c.clientSide.restore();
        if (c.prelude != null) {
            c.prelude.startTimers();
        } else {
            c.backendSide.restore();
        }
        if (c.closeWhileHeld != null) {
            CloseReason r = c.closeWhileHeld;
            c.closeWhileHeld = null;
            c.close(r);
        }
    }
}
