package io.sluice.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.sluice.backend.Backend;
import io.sluice.pool.Pool;
import io.sluice.proxyprotocol.ClientAddressResolved;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One admitted client connection and its backend connection, whichever relay moves their bytes:
 * what limits, metrics, the access log, the idle sweep, drain and the admin API need to know of
 * it. The relays are {@link ChannelConnection} (two Netty channels and their pipelines: every
 * listener by default) and {@link SocketConnection} (the two sockets straight on the event loop's
 * epoll set: tcp and tls listeners under the {@code epoll-sockets} transport, docs/performance.md "Round 7").
 * Either can be handed to another process (the hooks below).
 *
 * <p>Confined to its event loop ({@link #loop}); the fields marked volatile are also read by the
 * admin API's threads, and the plain counters may look slightly stale there. "Inbound" is the
 * client side (Envoy's downstream), "outbound" the backend side (upstream).
 */
public abstract class Connection {

    private final FrontendSettings settings;
    // Package-private fields: ConnectionHandover captures and restores them, ConnectionEnd reads them (same loop).
    long startNanos = System.nanoTime();
    // Written once on the event loop; volatile because the admin API lists connections from its own thread.
    volatile InetSocketAddress client;
    InetSocketAddress destination;
    volatile Pool pool;
    volatile String serverName;
    /** Why the tls sniffer refused it (a TlsRefusal word), or null. Event loop only. */
    String refusal;
    volatile Pool.Selection selection;
    boolean globalAdmitted;
    boolean sourceAdmitted;
    volatile boolean established;
    private CloseReason reason;
    boolean closing;
    long bytesUp;
    long bytesDown;
    /** Bytes an earlier process already counted in its metrics (adopted connections); 0 otherwise. */
    long bytesUpCounted;
    long bytesDownCounted;
    /** Handed to another process: the other process logs and counts it from now on. */
    boolean handedOver;

    // Idle timeout bookkeeping, owned by the loop's IdleSweeper (see there); 0 nanos: no timeout.
    final long idleNanos;
    /** Set by every read and writability change; cleared by the sweeper when it notes the time. */
    boolean idleActive;
    long idleSeenNanos;
    Connection idlePrev;
    Connection idleNext;

    Connection(FrontendSettings settings, InetSocketAddress client, InetSocketAddress destination) {
        this.settings = settings;
        this.client = client;
        this.destination = destination;
        this.idleNanos = settings.idle().toNanos();
    }

    /** The event loop that owns this connection: every change to it runs there. */
    public abstract EventLoop loop();

    /**
     * Closes both sides now (FIN), dropping what is still queued: used for idle timeout, shutdown,
     * refusals and admin kills, where a peer that does not read must not keep the connection.
     * Safe to call repeatedly. Event loop only.
     */
    abstract void close(CloseReason r);

    /**
     * How long the kernel has neither sent nor received data on either socket, in milliseconds
     * (TCP_INFO); {@code Long.MAX_VALUE} where that cannot be read. For the idle sweep, which asks
     * only connections it is about to close.
     */
    abstract long kernelQuietMillis(TcpInfoReader tcpInfo);

    // ---- handover to another process (docs/handover.md), old side; each on the event loop,
    // scheduled there by PausedConnection

    /**
     * Stops all IO on it here and completes {@code result} with what the other process needs, or
     * with null when it cannot go now (closing, or still connecting: offered again later).
     */
    abstract void pauseForHandover(long id, Promise<PausedConnection> result);

    /** The descriptors to pass, client first; only the client's for a connection without a backend yet. */
    abstract int[] handoverDescriptors(boolean established);

    /** The other process acknowledged it and owns the sockets now: drop this process's share. */
    abstract void handedOverThere();

    /** The handover did not happen: serve it on here. */
    abstract void resumeAfterHandover();

    /** Another process may hold copies of the descriptors: when it ends, shut the sockets down for all. */
    abstract void shareDescriptors();

    /** Closes both sides now, for {@code reason}; any thread may schedule it, it must run on {@link #loop}. */
    public void closeNow(CloseReason reason) {
        close(reason);
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

    void globalAdmitted() {
        globalAdmitted = true;
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

    /** The tls sniffer refused it: the access log says why, and with which SNI when one was read. */
    void tlsRefused(String sni, String why) {
        this.serverName = sni;
        this.refusal = why;
        reason(CloseReason.TLS_REFUSED);
    }

    void routed(Pool chosen, String sni) {
        this.pool = chosen;
        this.serverName = sni;
    }

    boolean isEstablished() {
        return established;
    }

    /** The backend of {@code sel} is connected: count the connection there and pin the stick entry. */
    void selected(Pool.Selection sel) {
        this.selection = sel;
        this.established = true;
        sel.backend().connectionOpened();
        if (sel.stickEntry() != null) {
            sel.stickEntry().pin();
        }
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

    /** Why it ended: the first reason recorded, a client abort when none was, or the handover. */
    CloseReason finalReason() {
        return handedOver ? CloseReason.HANDED_OVER : reason == null ? CloseReason.CLIENT_ABORT : reason;
    }
}
