package io.sluice.daemon;

import io.netty.channel.EventLoopGroup;
import io.sluice.config.ListenerConfig;
import io.sluice.listener.Listener;
import io.sluice.proxy.FrontendSettings;
import io.sluice.transport.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's listening sockets by name: bound at start, adopted from a process it took over
 * from, swapped on reload. Thread-safe (the control thread, the handover thread and the admin
 * threads all look at it); a reload changes it under its lock.
 */
final class BoundListeners {

    private static final Logger log = LoggerFactory.getLogger(BoundListeners.class);

    private final Map<String, Listener> byName = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Transport transport;
    private final EventLoopGroup workers;
    /** The relay settings a listener's connections get now (pools change on reload). */
    private final Function<ListenerConfig, FrontendSettings> settings;

    BoundListeners(Transport transport, EventLoopGroup workers, Function<ListenerConfig, FrontendSettings> settings) {
        this.transport = transport;
        this.workers = workers;
        this.settings = settings;
    }

    void bind(ListenerConfig lc) throws Listener.BindFailedException {
        byName.put(lc.name(), Listener.bind(lc, settings.apply(lc), transport, workers));
    }

    /** Binds every listener of {@code all}; the first that fails throws (the caller unwinds). */
    void bindAll(List<ListenerConfig> all) throws Listener.BindFailedException {
        for (ListenerConfig lc : all) {
            bind(lc);
        }
    }

    /** Serves a listening socket handed over by the process we take over from. */
    void adopt(ListenerConfig lc, int fd) throws Listener.BindFailedException {
        byName.put(lc.name(), Listener.adopt(lc, settings.apply(lc), transport, workers, fd));
    }

    /** Closes a listener (a handover: the new process did not take it). */
    void remove(String name) {
        Listener l = byName.remove(name);
        if (l != null) {
            l.close().awaitUninterruptibly();
        }
    }

    /** The listener named {@code name}, or null. */
    Listener get(String name) {
        return byName.get(name);
    }

    List<Listener> all() {
        synchronized (byName) {
            return List.copyOf(byName.values());
        }
    }

    /** Stops accepting on every socket (shutdown); connections already accepted are not touched. */
    void closeAll() {
        for (Listener l : all()) {
            l.close().awaitUninterruptibly();
        }
    }

    /** {@code ip:port} as logs and the admin API show addresses (no brackets around IPv6). */
    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** {@code name=ip:port, ...} for the start-up line. */
    String describe() {
        List<String> parts = new ArrayList<>();
        for (Listener l : all()) {
            parts.add(l.name() + "=" + hostPort(l.localAddress()));
        }
        return String.join(", ", parts);
    }

    /**
     * A reload: listeners that did not change keep their socket (and take the new settings),
     * changed ones are bound anew (SO_REUSEPORT lets the same port overlap) before the old socket
     * closes, removed ones stop accepting. What changed goes to {@code changes}; a listener that
     * cannot be bound keeps its old socket and goes to {@code problems}.
     */
    void apply(List<ListenerConfig> next, List<String> changes, List<String> problems) {
        Map<String, ListenerConfig> wanted = new LinkedHashMap<>();
        next.forEach(lc -> wanted.put(lc.name(), lc));
        synchronized (byName) {
            for (String name : new ArrayList<>(byName.keySet())) {
                if (!wanted.containsKey(name)) {
                    byName.remove(name).close();
                    changes.add("listener " + name + " removed");
                }
            }
            for (ListenerConfig lc : next) {
                Listener current = byName.get(lc.name());
                if (current != null && current.canServe(lc, transport)) {
                    current.update(settings.apply(lc));
                    continue;
                }
                if (current != null && current.config().bind().equals(lc.bind())) {
                    // Same address, the other relay: the same socket, served the other way.
                    int fd = current.detach();
                    try {
                        byName.put(lc.name(), Listener.adopt(lc, settings.apply(lc), transport, workers, fd));
                        changes.add("listener " + lc.name() + " now relays on " + (Listener.onSockets(lc, transport)
                                ? "its sockets" : "channels"));
                    } catch (Listener.BindFailedException e) {
                        log.error("reload: {} (the listener keeps its old settings)", e.getMessage());
                        problems.add(e.getMessage() + " (the listener keeps its old settings)");
                        try {
                            byName.put(lc.name(), Listener.adopt(current.config(), current.initializer().settings(),
                                    transport, workers, fd));
                        } catch (Listener.BindFailedException again) {
                            log.error("reload: {}; the listener is gone (fix and reload)", again.getMessage());
                            byName.remove(lc.name());
                        }
                    }
                    continue;
                }
                try {
                    Listener fresh = Listener.bind(lc, settings.apply(lc), transport, workers);
                    byName.put(lc.name(), fresh);
                    if (current != null) {
                        current.close();
                    }
                    changes.add("listener " + lc.name() + (current == null ? " added" : " moved") + " to "
                            + hostPort(fresh.localAddress()));
                } catch (Listener.BindFailedException e) {
                    log.error("reload: {} (the listener keeps its old socket, if any)", e.getMessage());
                    problems.add(e.getMessage() + " (the rest of the new configuration is applied; the listener keeps its old socket, if any)");
                }
            }
        }
    }
}
