package io.sluice.handover;

import io.sluice.proxy.Connection;
import java.util.List;
import java.util.Set;

/** What the old process's daemon gives {@link HandOff}: its sockets, connections and state. */
public interface HandoverSource {

    /** A listening socket to offer: {@code kind} is "proxy" or "admin". */
    record Socket(String name, String kind, String address, int descriptor) {}

    List<Socket> listeningSockets();

    /**
     * The new process accepts on {@code taken} (names; "admin" for the admin socket): stop taking
     * connections off those (keep the sockets, in case it fails), close the others.
     */
    void stopAccepting(Set<String> taken);

    /**
     * The handover failed: accept again on every socket, as before it started. May be called more
     * than once, and from another thread than the handover's ({@link AcceptWatch}).
     */
    void resumeAccepting();

    /**
     * Takes connections off the sockets named {@code taken} again ({@code on}), or stops again,
     * leaving every other socket as it is: the new process seems not to accept ({@link AcceptWatch}),
     * or has proved since that it does. Any thread.
     */
    void accepting(Set<String> taken, boolean on);

    /**
     * How many connections wait, in all, in the accept queues of the sockets named {@code taken}
     * (which this process no longer accepts from); 0 when none, or when the kernel does not say.
     */
    int clientsWaiting(Set<String> taken);

    /** How long to wait for the new process (from this daemon's {@code handover} config). */
    Deadlines deadlines();

    /** Every open client connection now. */
    List<Connection> connections();

    /** Stick tables and overrides, for the STATE message. */
    Messages.State state();

    /** Everything is handed over (but {@code kept} connections): the process should stop. */
    void handedOver(int kept);
}
