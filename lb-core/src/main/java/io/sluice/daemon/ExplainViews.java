package io.sluice.daemon;

import io.sluice.admin.AdminOperations.NotFoundException;
import io.sluice.adminapi.ExplainView;
import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.balance.MaglevTable;
import io.sluice.config.ListenerConfig;
import io.sluice.config.NoSniAction;
import io.sluice.pool.Pool;
import io.sluice.route.RouteMatch;
import io.sluice.route.RouteTable;
import io.sluice.sticky.StickTable;
import io.sluice.sticky.StickyKey;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The admin API's {@code explain}: which route, pool and backend a client would get, taken through
 * the same decisions in the same order as the listener's sniffer and the pool's balancer, without
 * changing either ({@link Pool#peek} chooses without remembering anything).
 *
 * <p>Static and stateless; called on the admin executor, reading the running config and the pools'
 * published snapshots.
 */
final class ExplainViews {

    private ExplainViews() {}

    /**
     * Where a client with {@code sni} and {@code alpn} would go through {@code listenerName} (null:
     * the only listener), and why not elsewhere.
     *
     * @param pools the pool of that name, or a {@link NotFoundException}
     */
    static ExplainView explain(List<ListenerConfig> listeners, Function<String, Pool> pools, String listenerName,
                               String sni, List<String> alpn, InetAddress client) {
        ListenerConfig lc = listenerConfig(listeners, listenerName);
        String normalizedSni = sni == null || sni.isBlank() ? null : normalize(sni);
        List<String> offered = alpn == null ? List.of() : alpn;
        String routeKind;
        String routePattern = null;
        String poolName;
        if (lc.tls() == null) {
            routeKind = "listener";
            poolName = lc.pool();
        } else {
            // The same decisions, in the same order, as the listener's HelloRouting.
            if (normalizedSni == null && lc.tls().noSni() == NoSniAction.REJECT) {
                return ExplainView.refused(lc.name(), client.getHostAddress(), null, offered,
                        "no SNI and no-sni: reject (the connection is closed with an unrecognized_name alert)");
            }
            RouteMatch match = RouteTable.of(lc.tls()).route(normalizedSni, offered);
            if (match == null) {
                return ExplainView.refused(lc.name(), client.getHostAddress(), normalizedSni, offered,
                        (normalizedSni == null ? "no SNI" : "no route for SNI " + normalizedSni
                                + (offered.isEmpty() ? "" : " with ALPN " + String.join(",", offered)))
                                + " and no default pool (the connection is closed with an unrecognized_name alert)");
            }
            routeKind = match.kind().word();
            routePattern = match.pattern();
            poolName = match.pool();
        }
        Pool pool = pools.apply(poolName);
        StickyKey key = pool.keyOf(client);
        boolean sticky = pool.stickTable() != null;
        Pool.Selection sel = pool.peek(key);
        MaglevTable table = pool.maglevTable();
        StickTable.Entry entry = sticky ? pool.stickTable().get(key) : null;
        String chosen = sel == null || sel.backend() == null ? null : sel.backend().name();
        List<ExplainView.Skipped> skipped = new ArrayList<>();
        Map<String, Integer> eligible = new LinkedHashMap<>();
        pool.eligibleBackends().forEach(b -> eligible.put(b.name(), b.weight()));
        for (Backend b : pool.backends()) {
            if (b.name().equals(chosen)) {
                continue;
            }
            boolean pickedAtConnect = sel != null && sel.backend() == null;
            Backend.State st = b.state();
            skipped.add(new ExplainView.Skipped(b.name(), candidateOrSkip(b, eligible, pickedAtConnect),
                    PoolViews.drain(st.admin().word(), st.operatorMark()), PoolViews.drain(st.registryDrain(), st.registryMark())));
        }
        return new ExplainView(lc.name(), client.getHostAddress(), normalizedSni, offered, routeKind, routePattern,
                pool.name(), sticky ? key.toString() : null, String.format("%016x", key.hash()),
                table == null ? null : pool.generation(), table == null ? null : String.format("%016x", table.fingerprint()),
                StickViews.explain(pool, entry, chosen, sel == null ? null : sel.decision()),
                chosen, sel == null ? null : sel.decision().word(), skipped);
    }

    private static String skipReason(Backend b, Map<String, Integer> eligible) {
        Backend.State st = b.state();
        if (!st.up()) {
            return "down";
        }
        if (st.admin() == AdminState.DRAIN || st.registryDrain() != null) {
            return "draining";
        }
        if (st.admin() == AdminState.MAINT) {
            return "maintenance";
        }
        if ((st.weightOverride() != null ? st.weightOverride() : b.configuredWeight()) == 0) {
            return "weight-0";
        }
        return eligible.containsKey(b.name()) ? "not-chosen" : "slow-start";
    }

    /** With a balancer that picks at connect time, every eligible backend is a candidate. */
    private static String candidateOrSkip(Backend b, Map<String, Integer> eligible, boolean pickedAtConnect) {
        String reason = skipReason(b, eligible);
        return pickedAtConnect && reason.equals("not-chosen") ? "candidate" : reason;
    }

    private static ListenerConfig listenerConfig(List<ListenerConfig> all, String name) {
        if (name == null || name.isBlank()) {
            if (all.size() == 1) {
                return all.get(0);
            }
            throw new IllegalArgumentException("listener is required when there are several ("
                    + String.join(", ", all.stream().map(ListenerConfig::name).toList()) + ")");
        }
        return all.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new NotFoundException("no listener '" + name + "' (listeners: "
                        + String.join(", ", all.stream().map(ListenerConfig::name).toList()) + ")"));
    }

    private static String normalize(String sni) {
        String s = sni.toLowerCase(Locale.ROOT);
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
