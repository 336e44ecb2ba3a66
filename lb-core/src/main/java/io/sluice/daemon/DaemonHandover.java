package io.sluice.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.sluice.admin.AdminServer;
import io.sluice.backend.Backend;
import io.sluice.config.HandoverConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.handover.Deadlines;
import io.sluice.handover.HandoverException;
import io.sluice.handover.HandoverServer;
import io.sluice.handover.HandoverSource;
import io.sluice.handover.HandoverStatus;
import io.sluice.handover.HandoverTarget;
import io.sluice.handover.Messages;
import io.sluice.handover.Takeover;
import io.sluice.listener.Listener;
import io.sluice.pool.Pool;
import io.sluice.proxy.AddressText;
import io.sluice.proxy.AdoptedConnection;
import io.sluice.proxy.Connection;
import io.sluice.proxy.ConnectionImage;
import io.sluice.proxy.ConnectionTracker;
import io.sluice.proxy.FrontendSettings;
import io.sluice.state.AdminOverride;
import io.sluice.state.OverrideJson;
import io.sluice.sticky.StickTable;
import io.sluice.sticky.StickyKey;
import io.sluice.transport.Descriptors;
import io.sluice.transport.ListeningSockets;
import io.sluice.transport.Transport;
import io.sluice.upstream.Upstreams;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of a handover, both ways: the handover socket it listens on, what an old
 * daemon offers ({@link HandoverSource}) and where a new daemon puts what it receives
 * ({@link HandoverTarget}). Matching is by name: a listener by name (and address, unless the config
 * says port 0), a connection's pool and backend by name; what the new config does not have stays
 * with the old process.
 *
 * <p>Threads: the handover thread (HandoverServer's, or the one running {@link #takeOver}) calls
 * the source and target methods; state goes to the control thread through {@link ControlPlane#onControl}.
 */
final class DaemonHandover implements HandoverSource, HandoverTarget {

    private static final Logger log = LoggerFactory.getLogger(DaemonHandover.class);
    static final String ADMIN = "admin";

    private final Transport transport;
    private final EventLoopGroup workers;
    private final Lifecycle lifecycle;
    private final ControlPlane plane;
    private final Upstreams upstreams;
    private final BoundListeners listeners;
    private final AdminEndpoint admin;
    private final ConnectionTracker tracker;
    private final HandoverStatus status;
    /** Old side: listeners closed because the new process did not take them (rebound if it fails). */
    private final List<ListenerConfig> closedForHandover = new ArrayList<>();
    private volatile HandoverServer server;
    private Runnable onHandedOver = () -> {};

    DaemonHandover(Transport transport, EventLoopGroup workers, Lifecycle lifecycle, ControlPlane plane,
                   Upstreams upstreams, BoundListeners listeners, AdminEndpoint admin, ConnectionTracker tracker,
                   HandoverStatus status) {
        this.transport = transport;
        this.workers = workers;
        this.lifecycle = lifecycle;
        this.plane = plane;
        this.upstreams = upstreams;
        this.listeners = listeners;
        this.admin = admin;
        this.tracker = tracker;
        this.status = status;
    }

    HandoverStatus status() {
        return status;
    }

    /** Takes over from the daemon listening on {@code socket} (docs/handover.md); see {@link Takeover#run}. */
    void takeOver(Path socket, Runnable beforeBye) throws Takeover.Failed {
        Takeover.run(socket, transport, this, status, beforeBye);
    }

    /** Listens on {@code handover.socket}, or on {@code fallback} (the socket we took over through), if either. */
    void listen(Path fallback, boolean succeeding) throws Listener.BindFailedException {
        Path path = plane.config().handover() != null ? plane.config().handover().socket() : fallback;
        if (path == null) {
            return;
        }
        try {
            server = HandoverServer.listen(path, transport, this, status, succeeding);
            log.info("Handover socket: {}", path);
        } catch (HandoverException e) {
            throw new Listener.BindFailedException(e.getMessage(), e);
        }
    }

    /** Stops listening; the socket file stays when it is the new process's now (after a handover). */
    void close(boolean handedOver) {
        HandoverServer s = server;
        if (s != null) {
            s.close(!handedOver);
        }
    }

    /** What to do once every connection went to a new process (sluice run: stop, and exit 0). */
    synchronized void onHandedOver(Runnable action) {
        this.onHandedOver = action;
        if (lifecycle.phase() == Lifecycle.Phase.HANDED_OVER) {
            action.run(); // a handover that finished before anyone asked
        }
    }

    // ---- old process ---------------------------------------------------------------------

    @Override
    public List<Socket> listeningSockets() {
        List<Socket> sockets = new ArrayList<>();
        for (Listener l : listeners.all()) {
            sockets.add(new Socket(l.name(), "proxy", BoundListeners.hostPort(l.localAddress()), l.descriptor()));
        }
        AdminServer adminServer = admin.server();
        if (adminServer != null) {
            sockets.add(new Socket(ADMIN, ADMIN, BoundListeners.hostPort(adminServer.localAddress()),
                    adminServer.descriptor()));
        }
        return sockets;
    }

    @Override
    public synchronized void stopAccepting(Set<String> taken) {
        for (Listener l : listeners.all()) {
            if (taken.contains(l.name())) {
                l.accepting(false);
            } else {
                // Not in the new config (or moved): its queue would never be served, so close it now.
                listeners.remove(l.name());
                closedForHandover.add(l.config());
            }
        }
        AdminServer adminServer = admin.server();
        if (adminServer != null && taken.contains(ADMIN)) {
            adminServer.accepting(false);
        }
    }

    @Override
    public synchronized void resumeAccepting() {
        for (Listener l : listeners.all()) {
            l.accepting(true);
        }
        for (ListenerConfig lc : closedForHandover) {
            try {
                listeners.bind(lc);
            } catch (Listener.BindFailedException e) {
                log.error("after the failed handover: {}", e.getMessage());
            }
        }
        closedForHandover.clear();
        AdminServer adminServer = admin.server();
        if (adminServer != null) {
            adminServer.accepting(true);
        }
    }

    @Override
    public synchronized void accepting(Set<String> taken, boolean on) {
        for (Listener l : listeners.all()) {
            if (taken.contains(l.name())) {
                l.accepting(on);
            }
        }
        AdminServer adminServer = admin.server();
        if (adminServer != null && taken.contains(ADMIN)) {
            adminServer.accepting(on);
        }
    }

    @Override
    public int clientsWaiting(Set<String> taken) {
        int waiting = 0;
        for (Listener l : listeners.all()) {
            if (taken.contains(l.name())) {
                waiting += l.waitingToBeAccepted().orElse(0);
            }
        }
        AdminServer adminServer = admin.server();
        if (adminServer != null && taken.contains(ADMIN)) {
            waiting += ListeningSockets.acceptQueue(adminServer.descriptor()).orElse(0);
        }
        return waiting;
    }

    @Override // both sides
    public Deadlines deadlines() {
        return deadlines(plane.config().handover());
    }

    /** This daemon's handover deadlines: its config's, or the defaults. */
    static Deadlines deadlines(HandoverConfig config) {
        return config == null ? Deadlines.DEFAULTS : new Deadlines(config.stepTimeout(), config.acceptTimeout());
    }

    @Override
    public List<Connection> connections() {
        return tracker.all();
    }

    @Override
    public Messages.State state() {
        List<Messages.StickEntry> stick = new ArrayList<>();
        for (Pool p : upstreams.pools().values()) {
            StickTable table = p.stickTable();
            if (table == null) {
                continue;
            }
            for (StickTable.Exported e : table.export()) {
                stick.add(new Messages.StickEntry(p.name(), e.key().bytes(), e.backendName(),
                        TimeUnit.NANOSECONDS.toMillis(e.idleNanos())));
            }
        }
        Map<String, JsonNode> overrides = new LinkedHashMap<>();
        plane.overrides().all().forEach((key, o) -> overrides.put(key, OverrideJson.toNode(o)));
        return new Messages.State(stick, overrides);
    }

    /** The handover finished: the new process serves the listeners; we only drain what stayed. */
    @Override
    public void handedOver(int kept) {
        lifecycle.handedOver();
        log.info("Everything is handed over{}; stopping", kept == 0 ? "" : " but " + kept + " connections, which drain here");
        synchronized (this) {
            onHandedOver.run();
        }
        // The admin socket is the new process's now; close ours, with its open (keep-alive) admin
        // connections, so clients such as sluicectl reconnect there instead of asking us.
        admin.close();
    }

    // ---- new process ---------------------------------------------------------------------

    @Override
    public void applyState(Messages.State state) {
        plane.onControl(() -> {
            int restored = 0;
            for (Messages.StickEntry e : state.stick()) {
                Pool p = upstreams.pools().get(e.pool());
                if (p != null && p.stickTable() != null && e.key() != null && e.backend() != null) {
                    p.stickTable().restore(StickyKey.of(e.key()), e.backend(), TimeUnit.MILLISECONDS.toNanos(e.idleMillis()));
                    restored++;
                }
            }
            state.overrides().forEach((key, node) -> {
                int slash = key.indexOf('/');
                try {
                    if (slash > 0) {
                        AdminOverride o = OverrideJson.fromNode(node);
                        plane.backends().applyHandedOver(key.substring(0, slash), key.substring(slash + 1), o);
                    }
                } catch (RuntimeException e) {
                    // One unreadable entry must not stop a handover: our own store has the overrides too.
                    log.warn("handover state: ignoring override {} ({})", key, e.toString());
                }
            });
            log.debug("handover state: {} stick entries, {} overrides", restored, state.overrides().size());
            return null;
        });
    }

    @Override
    public List<String> adoptListeners(List<Messages.OfferedSocket> offered, int[] descriptors) {
        List<String> taken = new ArrayList<>();
        boolean[] used = new boolean[offered.size()];
        for (ListenerConfig lc : plane.config().listeners()) {
            int i = match(offered, used, "proxy", lc.name(), lc.bind());
            if (i < 0) {
                continue;
            }
            try {
                listeners.adopt(lc, descriptors[i]);
                used[i] = true;
                taken.add(lc.name());
            } catch (Listener.BindFailedException e) {
                log.error("{}; it will be bound anew", e.getMessage());
            }
        }
        if (plane.config().admin() != null) {
            int i = match(offered, used, ADMIN, ADMIN, plane.config().admin().bind());
            if (i >= 0 && admin.adopt(descriptors[i])) {
                used[i] = true;
                taken.add(ADMIN);
            }
        }
        if (!taken.isEmpty()) {
            // Our listeners accept and the old process stops: ready from now on, so a health check
            // of /readyz sees no gap while the connections move.
            lifecycle.serving();
        }
        for (int i = 0; i < offered.size(); i++) {
            if (!used[i]) {
                Descriptors.close(descriptors[i]); // not ours to serve: the old process closes its own copy
            }
        }
        return taken;
    }

    /** The offered socket for a listener: same name and address (any port when the config says 0), else same address. */
    private static int match(List<Messages.OfferedSocket> offered, boolean[] used, String kind, String name,
                             InetSocketAddress bind) {
        int byAddress = -1;
        for (int i = 0; i < offered.size(); i++) {
            Messages.OfferedSocket o = offered.get(i);
            if (used[i] || !kind.equals(o.kind())) {
                continue;
            }
            InetSocketAddress at;
            try {
                at = AddressText.parse(o.address());
            } catch (IllegalArgumentException e) {
                continue;
            }
            boolean sameHost = bind.getAddress() != null && bind.getAddress().equals(at.getAddress());
            boolean sameAddress = sameHost && bind.getPort() == at.getPort();
            if (o.name().equals(name) && (sameAddress || (sameHost && bind.getPort() == 0))) {
                return i;
            }
            if (sameAddress && byAddress < 0) {
                byAddress = i;
            }
        }
        return byAddress;
    }

    @Override
    public AdoptedConnection prepare(ConnectionImage image, int[] fds, ByteBuf toClient, ByteBuf toBackend, ByteBuf replay)
            throws Refused {
        Listener listener = listeners.get(image.listener());
        if (listener == null) {
            throw new Refused("no listener named '" + image.listener() + "' here");
        }
        if (!image.established()) {
            AdoptedConnection adopted = AdoptedConnection.preparePrelude(image, listener.initializer(), transport,
                    fds[0], replay);
            toClient.release();
            toBackend.release();
            return adopted;
        }
        Pool pool = upstreams.pools().get(image.pool());
        if (pool == null) {
            throw new Refused("no pool named '" + image.pool() + "' here");
        }
        Backend backend = pool.backend(image.backend());
        if (backend == null) {
            throw new Refused("no backend '" + image.backend() + "' in pool '" + image.pool() + "' here");
        }
        FrontendSettings settings = listener.initializer().settings();
        AdoptedConnection adopted = AdoptedConnection.prepare(image, settings, pool, backend, transport,
                fds[0], fds[1], toClient, toBackend);
        replay.release();
        return adopted;
    }

    @Override
    public void start(AdoptedConnection adopted, LongConsumer started) {
        adopted.start(workers.next(), started);
    }
}
