package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.RejectedExecutionException;

/**
 * A connection this process has stopped serving because it is offering it to another process:
 * no IO runs on it here, but this process still owns it (and keeps its descriptors) until the
 * other one acknowledges it ({@link #handedOver}) or the handover fails ({@link #resume}).
 */
public final class PausedConnection {

    private final Connection connection;
    private final ConnectionImage image;
    private ByteBuf toClient;
    private ByteBuf toBackend;
    private ByteBuf replay;

    PausedConnection(Connection connection, ConnectionImage image, ByteBuf toClient, ByteBuf toBackend, ByteBuf replay) {
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
    public static Future<PausedConnection> pause(Connection c, long id) {
        EventLoop loop = c.loop();
        Promise<PausedConnection> result = loop.newPromise();
        loop.execute(() -> c.pauseForHandover(id, result));
        return result;
    }

    public Connection connection() {
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
        return connection.handoverDescriptors(image.established());
    }

    /** The other process acknowledged it: drop this process's share. Any thread. */
    public void handedOver() {
        releaseBytes();
        onLoop(connection::handedOverThere);
    }

    /** It stays here after all: serve it on. Any thread. */
    public void resume() {
        releaseBytes();
        onLoop(connection::resumeAfterHandover);
    }

    /**
     * It stays here, but its descriptors reached the other process (a batch in flight when the
     * handover was aborted): serve it on, and when it ends, shut its sockets down for every process
     * holding them. Any thread.
     */
    public void resumeShared() {
        releaseBytes();
        onLoop(() -> {
            connection.shareDescriptors();
            connection.resumeAfterHandover();
        });
    }

    /**
     * Runs {@code step} on the connection's loop. A loop that no longer takes tasks is shutting
     * down, and closes what it still holds itself: nothing is left to do here.
     */
    private void onLoop(Runnable step) {
        try {
            connection.loop().execute(step);
        } catch (RejectedExecutionException e) {
            // See above.
        }
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
