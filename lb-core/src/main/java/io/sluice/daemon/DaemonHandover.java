package io.sluice.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.sluice.backend.Backend;
import io.sluice.config.ListenerConfig;
import io.sluice.handover.HandoverSource;
import io.sluice.handover.HandoverTarget;
import io.sluice.handover.Messages;
import io.sluice.listener.Listener;
import io.sluice.pool.Pool;
import io.sluice.proxy.AddressText;
import io.sluice.proxy.AdoptedConnection;
import io.sluice.proxy.Connection;
import io.sluice.proxy.ConnectionImage;
import io.sluice.proxy.FrontendSettings;
import io.sluice.state.OverrideJson;
import io.sluice.sticky.StickTable;
import io.sluice.sticky.StickyKey;
import io.sluice.transport.Descriptors;
import java.net.InetSocketAddress;
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
 * The daemon's side of a handover, both ways: what an old daemon offers ({@link HandoverSource})
 * and where a new daemon puts what it receives ({@link HandoverTarget}). Matching is by name:
 * a listener by name (and address, unless the config says port 0), a connection's pool and
 * backend by name; what the new config does not have stays with the old process.
 */
final class DaemonHandover implements HandoverSource, HandoverTarget {

    private static final Logger log = LoggerFactory.getLogger(DaemonHandover.class);
    static final String ADMIN = "admin";

    private final SluiceDaemon daemon;
    /** Old side: listeners closed because the new process did not take them (rebound if it fails). */
    private final List<ListenerConfig> closedForHandover = new ArrayList<>();

    DaemonHandover(SluiceDaemon daemon) {
        this.daemon = daemon;
    }

    // ---- old process ---------------------------------------------------------------------

    @Override
    public List<Socket> listeningSockets() {
        List<Socket> sockets = new ArrayList<>();
        for (Listener l : daemon.listeners()) {
            sockets.add(new Socket(l.name(), "proxy", SluiceDaemon.hostPort(l.localAddress()), l.descriptor()));
        }
        if (daemon.adminServer() != null) {
            sockets.add(new Socket(ADMIN, ADMIN, SluiceDaemon.hostPort(daemon.adminServer().localAddress()),
                    daemon.adminServer().descriptor()));
        }
        return sockets;
    }

    @Override
    public void stopAccepting(Set<String> taken) {
        for (Listener l : daemon.listeners()) {
            if (taken.contains(l.name())) {
                l.accepting(false);
            } else {
                // Not in the new config (or moved): its queue would never be served, so close it now.
                daemon.removeListener(l.name());
                closedForHandover.add(l.config());
            }
        }
        if (daemon.adminServer() != null && taken.contains(ADMIN)) {
            daemon.adminServer().accepting(false);
        }
    }

    @Override
    public void resumeAccepting() {
        for (Listener l : daemon.listeners()) {
            l.accepting(true);
        }
        for (ListenerConfig lc : closedForHandover) {
            try {
                daemon.bindListener(lc);
            } catch (Listener.BindFailedException e) {
                log.error("after the failed handover: {}", e.getMessage());
            }
        }
        closedForHandover.clear();
        if (daemon.adminServer() != null) {
            daemon.adminServer().accepting(true);
        }
    }

    @Override
    public List<Connection> connections() {
        return daemon.connections().all();
    }

    @Override
    public Messages.State state() {
        List<Messages.StickEntry> stick = new ArrayList<>();
        for (Pool p : daemon.pools().values()) {
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
        daemon.overrides().all().forEach((key, o) -> overrides.put(key, OverrideJson.toNode(o)));
        return new Messages.State(stick, overrides);
    }

    @Override
    public void handedOver(int kept) {
        daemon.handedOver(kept);
    }

    // ---- new process ---------------------------------------------------------------------

    @Override
    public void applyState(Messages.State state) {
        daemon.onControl(() -> {
            int restored = 0;
            for (Messages.StickEntry e : state.stick()) {
                Pool p = daemon.pools().get(e.pool());
                if (p != null && p.stickTable() != null && e.key() != null && e.backend() != null) {
                    p.stickTable().restore(StickyKey.of(e.key()), e.backend(), TimeUnit.MILLISECONDS.toNanos(e.idleMillis()));
                    restored++;
                }
            }
            state.overrides().forEach((key, node) -> {
                int slash = key.indexOf('/');
                try {
                    if (slash > 0) {
                        io.sluice.state.Override o = OverrideJson.fromNode(node);
                        daemon.backendControl().applyHandedOver(key.substring(0, slash), key.substring(slash + 1), o);
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
        for (ListenerConfig lc : daemon.config().listeners()) {
            int i = match(offered, used, "proxy", lc.name(), lc.bind());
            if (i < 0) {
                continue;
            }
            try {
                daemon.adoptListener(lc, descriptors[i]);
                used[i] = true;
                taken.add(lc.name());
            } catch (Listener.BindFailedException e) {
                log.error("{}; it will be bound anew", e.getMessage());
            }
        }
        if (daemon.config().admin() != null) {
            int i = match(offered, used, ADMIN, ADMIN, daemon.config().admin().bind());
            if (i >= 0 && daemon.adoptAdmin(descriptors[i])) {
                used[i] = true;
                taken.add(ADMIN);
            }
        }
        if (!taken.isEmpty()) {
            daemon.acceptingTakenOver();
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
        Listener listener = daemon.listener(image.listener());
        if (listener == null) {
            throw new Refused("no listener named '" + image.listener() + "' here");
        }
        if (!image.established()) {
            AdoptedConnection adopted = AdoptedConnection.preparePrelude(image, listener.initializer(), daemon.transport(),
                    fds[0], replay);
            toClient.release();
            toBackend.release();
            return adopted;
        }
        Pool pool = daemon.pools().get(image.pool());
        if (pool == null) {
            throw new Refused("no pool named '" + image.pool() + "' here");
        }
        Backend backend = pool.backend(image.backend());
        if (backend == null) {
            throw new Refused("no backend '" + image.backend() + "' in pool '" + image.pool() + "' here");
        }
        FrontendSettings settings = listener.initializer().settings();
        AdoptedConnection adopted = AdoptedConnection.prepare(image, settings, pool, backend, daemon.transport(),
                fds[0], fds[1], toClient, toBackend);
        replay.release();
        return adopted;
    }

    @Override
    public void start(AdoptedConnection adopted, LongConsumer started) {
        adopted.start(daemon.nextWorker(), started);
    }
}
