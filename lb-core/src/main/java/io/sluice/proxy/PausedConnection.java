package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.sluice.transport.Descriptors;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * A connection this process has stopped serving because it is offering it to another process:
 * no IO runs on it here, but this process still owns it (and keeps its descriptors) until the
 * other one acknowledges it ({@link #handedOver}) or the handover fails ({@link #resume}).
 */
public final class PausedConnection {

    private final ChannelConnection connection;
    private final ConnectionImage image;
    private ByteBuf toClient;
    private ByteBuf toBackend;
    private ByteBuf replay;

    PausedConnection(ChannelConnection connection, ConnectionImage image, ByteBuf toClient, ByteBuf toBackend, ByteBuf replay) {
        this.connection = connection;
        this.image = image;
        this.toClient = toClient;
        this.toBackend = toBackend;
        this.replay = replay;
    }

    /**
     * Pauses {@code c} on its event loop. The future completes with the paused connection, or
     * with null when it cannot be handed over now. Any thread.
     */
    public static Future<PausedConnection> pause(ChannelConnection c, long id) {
        EventLoop loop = c.inbound().eventLoop();
        Promise<PausedConnection> result = loop.newPromise();
        loop.execute(() -> ConnectionHandover.pause(c, id, result));
        return result;
    }

    public ChannelConnection connection() {
        return connection;
    }

    public ConnectionImage image() {
        return image;
    }

    /**
     * The pending bytes, in image order (to client, to backend, replay), handed to the caller to
     * send. This process keeps its own queued copy in case it resumes.
     */
    public ByteBuf takeBytes() {
        CompositeByteBuf all = Unpooled.compositeBuffer(3);
        all.addComponent(true, toClient);
        all.addComponent(true, toBackend);
        all.addComponent(true, replay);
        toClient = toBackend = replay = null;
        return all;
    }

    /** The descriptors to pass, client first. They stay open here until handed over or resumed. */
    public int[] descriptors() {
        Channel in = connection.inbound();
        if (!image.established()) {
            return new int[] {fd(in)};
        }
        return new int[] {fd(in), fd(connection.outbound())};
    }

    private static int fd(Channel ch) {
        return Descriptors.of(ch);
    }

    /** The other process acknowledged it: drop this process's share. Any thread. */
    public void handedOver() {
        releaseBytes();
        connection.inbound().eventLoop().execute(() -> ConnectionHandover.handedOver(connection));
    }

    /** It stays here after all: serve it on. Any thread. */
    public void resume() {
        releaseBytes();
        connection.inbound().eventLoop().execute(() -> ConnectionHandover.resumeHere(connection));
    }

    /**
     * It stays here, but its descriptors reached the other process (a batch in flight when the
     * handover was aborted): serve it on, and when it ends, shut its sockets down for every process
     * holding them ({@link ShutdownOnClose}). Any thread.
     */
    public void resumeShared() {
        releaseBytes();
        connection.inbound().eventLoop().execute(() -> {
            ConnectionHandover.shareDescriptors(connection);
            ConnectionHandover.resumeHere(connection);
        });
    }

    private void releaseBytes() {
        for (ByteBuf b : new ByteBuf[] {toClient, toBackend, replay}) {
            if (b != null) {
                b.release();
            }
        }
        toClient = toBackend = replay = null;
    }
}
