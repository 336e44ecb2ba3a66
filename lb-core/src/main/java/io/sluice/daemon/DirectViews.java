package io.sluice.daemon;

import io.sluice.admin.AdminOperations.NotFoundException;
import io.sluice.adminapi.DirectExplainView;
import io.sluice.adminapi.DirectView;
import io.sluice.config.DirectListenerConfig;
import io.sluice.config.DirectListenerConfig.FlowKey;
import io.sluice.direct.DirectBackend;
import io.sluice.direct.DirectPlan;
import io.sluice.direct.DirectPlane;
import io.sluice.direct.FlowExplanation;
import io.sluice.direct.KernelCounters;
import io.sluice.direct.ServicePlan;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The direct listeners as the admin API shows them: what this node's kernel was last programmed with
 * (table, each listener's Maglev generation and fingerprint, slots per backend, which backends keep
 * their flows), the kernel's counters, and {@code explain} of one flow. Everything is read from the
 * plan the kernel was last given, not the pools' newest snapshots, because that is what forwards.
 *
 * <p>Called on the admin executor; the plan and counters are immutable snapshots, and explain waits
 * for the direct thread (which asks the kernel for the flow's entry).
 */
final class DirectViews {

    private DirectViews() {}

    /** The view of {@code plane}, or null without direct routing. */
    static DirectView view(DirectPlane plane) {
        DirectPlan plan = plane == null ? null : plane.appliedPlan();
        if (plan == null) {
            return null;
        }
        KernelCounters counters = plane.counters();
        List<DirectView.Listener> listeners = new ArrayList<>();
        for (ServicePlan s : plan.services()) {
            DirectListenerConfig l = s.listener();
            List<DirectView.Backend> backends = new ArrayList<>();
            for (DirectBackend b : s.backends()) {
                backends.add(new DirectView.Backend(b.name(), b.address().getHostAddress(), hex(b.mark()),
                        slots(s, b), b.live(), counters.packets(l.name(), b.name()), counters.bytes(l.name(), b.name())));
            }
            listeners.add(new DirectView.Listener(l.name(), "direct", l.vip().getHostAddress(), l.protocol().yamlName(),
                    l.ports(), l.pool(), flowKey(l.flowKey()), l.flowIdleTimeout().toSeconds(), l.maxFlows(),
                    s.generation(), fingerprint(s.fingerprint()), s.slotMarks().length, counters.flows(l.name()),
                    counters.packets(l.name(), null), backends));
        }
        Instant read = counters.readAt();
        return new DirectView(plan.table(), hex(plan.hashSeed()), plane.transactions(), plane.failures(),
                plane.lastError(), read == null ? null : Duration.between(read, Instant.now()).toMillis() / 1000.0,
                listeners);
    }

    /** The direct listeners of one pool (empty without any). */
    static List<DirectView.Listener> ofPool(DirectPlane plane, String pool) {
        DirectView view = view(plane);
        return view == null ? List.of() : view.listeners().stream().filter(l -> l.pool().equals(pool)).toList();
    }

    /**
     * Where the kernel sends one flow, and why.
     *
     * @param listener   a direct listener's name, or null: the one matching {@code protocol} and {@code port}
     * @param protocol   "tcp", "udp" or null
     * @param port       the listener port the flow is addressed to, or null when the listener has one
     * @param clientPort the client's source port; required with the 5-tuple flow key
     */
    static DirectExplainView explain(DirectPlane plane, String listener, String protocol, Integer port,
                                     InetAddress client, Integer clientPort) {
        DirectPlan plan = plane == null ? null : plane.appliedPlan();
        if (plan == null) {
            throw new NotFoundException("no direct listeners: the config has no direct section");
        }
        if (!(client instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("client " + client.getHostAddress()
                    + ": direct listeners are IPv4 only (give an IPv4 address)");
        }
        ServicePlan s = choose(plan, listener, protocol, port);
        DirectListenerConfig l = s.listener();
        int dport = port != null ? port : l.ports().get(0);
        if (l.flowKey() == FlowKey.FIVE_TUPLE && clientPort == null) {
            throw new IllegalArgumentException("client_port is required: listener '" + l.name()
                    + "' hashes the 5-tuple (client address and port, listener port)");
        }
        FlowExplanation e = plane.explain(l.name(), v4, clientPort, dport)
                .orElseThrow(() -> new NotFoundException("no direct listener '" + l.name() + "' in the kernel's table"));
        DirectExplainView.FlowEntry entry = e.entryMark() == null ? null : new DirectExplainView.FlowEntry(
                e.entryBackend() == null ? null : e.entryBackend().name(), hex(e.entryMark()), e.entryExpiresInMillis(),
                e.entryBackend() != null && e.entryBackend().live());
        return new DirectExplainView(l.name(), plan.table(), l.vip().getHostAddress(), l.protocol().yamlName(), dport,
                v4.getHostAddress(), e.clientPort(), flowKey(l.flowKey()), l.pool(), hex(plan.hashSeed()), e.tableSize(),
                e.slot(), e.slotBackend() == null ? null : e.slotBackend().name(), s.generation(),
                fingerprint(s.fingerprint()), entry, e.backend() == null ? null : e.backend().name(), e.decidedBy(), e.why());
    }

    /** The one listener the parameters name; 404 when none does, 400 when several do or the port is not its own. */
    private static ServicePlan choose(DirectPlan plan, String listener, String protocol, Integer port) {
        List<String> all = plan.services().stream().map(s -> s.listener().name()).toList();
        if (protocol != null && !protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("bad 'protocol': '" + protocol + "' (expected tcp or udp)");
        }
        List<ServicePlan> matching = new ArrayList<>();
        for (ServicePlan s : plan.services()) {
            DirectListenerConfig l = s.listener();
            if ((listener == null || l.name().equals(listener))
                    && (protocol == null || l.protocol().yamlName().equals(protocol))
                    && (port == null || listener != null || l.ports().contains(port))) {
                matching.add(s);
            }
        }
        String wanted = (listener == null ? "" : " '" + listener + "'") + (protocol == null ? "" : " " + protocol)
                + (port == null || listener != null ? "" : " on port " + port);
        if (matching.isEmpty()) {
            throw new NotFoundException("no direct listener" + wanted + " (direct listeners: " + String.join(", ", all) + ")");
        }
        if (matching.size() > 1) {
            throw new IllegalArgumentException("several direct listeners match" + wanted + " ("
                    + String.join(", ", matching.stream().map(s -> s.listener().name()).toList())
                    + "): give listener, or protocol and port");
        }
        ServicePlan s = matching.get(0);
        List<Integer> ports = s.listener().ports();
        if (port != null && !ports.contains(port)) {
            throw new IllegalArgumentException("port " + port + " is not a port of direct listener '"
                    + s.listener().name() + "' (its ports: " + ports + ")");
        }
        if (port == null && ports.size() > 1) {
            throw new IllegalArgumentException("port is required: direct listener '" + s.listener().name()
                    + "' has several " + ports + " and the port is part of the flow");
        }
        return s;
    }

    private static int slots(ServicePlan s, DirectBackend b) {
        int n = 0;
        for (long m : s.slotMarks()) {
            if (m == b.mark()) {
                n++;
            }
        }
        return n;
    }

    private static String flowKey(FlowKey key) {
        return key.yamlName();
    }

    private static String fingerprint(long f) {
        return String.format("%016x", f);
    }

    private static String hex(long v) {
        return String.format(Locale.ROOT, "0x%08x", v);
    }
}
