package io.sluice.harness;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Random;

/**
 * One end of one {@link StreamingTraffic} connection, client or backend. Thread: touched only by its
 * {@link StreamReactor}'s thread, except the volatile counters and flags, which the test thread reads.
 */
final class StreamPeer {
    final SocketChannel ch;
    final boolean client;
    int id;
    StreamBytes out;
    StreamBytes in;
    Random sizes;
    final ByteBuffer idBytes = ByteBuffer.allocate(4);
    ByteBuffer pending;
    long nextDue;
    // Written only by the reactor's thread (so += is safe), volatile so that others read them.
    volatile long sent;
    volatile long received;
    boolean outputShut;
    boolean idSent;
    /** EOF read: stop reading. */
    boolean inputDone;
    /** Ended (cleanly, early or failed): no more work. */
    volatile boolean over;
    /** Ended cleanly after both half-closes. */
    volatile boolean finished;
    SelectionKey key;

    StreamPeer(SocketChannel ch, boolean client, int id) {
        this.ch = ch;
        this.client = client;
        this.id = id;
        if (client) {
            init(id);
            pending = ByteBuffer.allocate(4).putInt(id).flip();
        }
    }

    void init(int id) {
        this.id = id;
        this.out = new StreamBytes(id, client);
        this.in = new StreamBytes(id, !client);
        this.sizes = new Random(id * 31L + (client ? 1 : 2));
    }

    boolean known() {
        return out != null;
    }

    String name() {
        return "connection " + id + " (" + (client ? "client" : "backend") + " end)";
    }
}
