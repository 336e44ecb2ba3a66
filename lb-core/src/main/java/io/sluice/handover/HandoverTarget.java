package io.sluice.handover;

import io.netty.buffer.ByteBuf;
import io.sluice.proxy.AdoptedConnection;
import io.sluice.proxy.ConnectionImage;
import java.util.List;
import java.util.function.LongConsumer;

/** What the new process's daemon gives {@link Takeover}: where the old one's things go. */
public interface HandoverTarget {

    /** How long to wait for the old process (from this daemon's {@code handover} config). */
    Deadlines deadlines();

    /** Merges stick entries and overrides (an entry this process already has wins). */
    void applyState(Messages.State state);

    /**
     * Serves the offered listening sockets that match this process's config; closes the
     * descriptors of the others. Returns the names served ("admin" for the admin socket).
     */
    List<String> adoptListeners(List<Messages.OfferedSocket> offered, int[] descriptors);

    /**
     * Wraps one connection's descriptors without any IO. Takes ownership of the buffers.
     *
     * @throws Refused when this process cannot serve it (unknown listener, pool or backend): the
     *                 old process keeps it. The descriptors are left open for the caller to close.
     */
    AdoptedConnection prepare(ConnectionImage image, int[] descriptors, ByteBuf toClient, ByteBuf toBackend, ByteBuf replay)
            throws Refused;

    /**
     * Starts serving an adopted connection (after the acknowledgement went out); {@code started}
     * gets how long it was paused, in nanoseconds, once it relays again.
     */
    void start(AdoptedConnection adopted, LongConsumer started);

    /** A connection this process cannot take, and why. */
    final class Refused extends Exception {
        public Refused(String why) {
            super(why, null, false, false);
        }
    }
}
