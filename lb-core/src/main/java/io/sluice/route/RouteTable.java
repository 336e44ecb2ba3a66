package io.sluice.route;

import io.sluice.config.NoSniAction;
import io.sluice.config.RouteConfig;
import io.sluice.config.TlsListenerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Chooses the pool of a {@code mode: tls} connection from the SNI and ALPN of its ClientHello.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>No SNI: the default pool when {@code no-sni: default}; nothing (close) when {@code no-sni: reject}
 *       or there is no default pool.</li>
 *   <li>Routes whose {@code sni} is exactly the name.</li>
 *   <li>The wildcard route for the name: {@code *.example.com} matches one label in front,
 *       {@code a.example.com} but neither {@code example.com} nor {@code a.b.example.com}. As wildcards
 *       cover exactly one label, only one wildcard can match a name ({@code *.} + the name without its first
 *       label), which is therefore also the longest.</li>
 *   <li>The default pool; nothing if there is none.</li>
 * </ol>
 * Among the routes of one {@code sni}, a route with {@code alpn} that shares a protocol with the client's
 * offer wins over a route without {@code alpn}; a route with {@code alpn} that shares none is skipped (and
 * if every route of that {@code sni} is skipped, the next rule applies). Ties go to the route written
 * first.
 *
 * <p>Names are compared exactly: the caller passes the SNI lowercase and without a trailing dot, the form
 * the config stores route names in. The table is immutable and thread-safe; {@link #route} allocates
 * nothing and costs two hash lookups at most, independent of the number of routes.
 */
public final class RouteTable {

    private final NameMap exact;
    /** Wildcard routes keyed by their suffix: {@code example.com} for {@code *.example.com}. */
    private final NameMap wildcards;
    private final RouteMatch defaultMatch;
    private final RouteMatch noSniMatch;
    private final int size;

    private RouteTable(NameMap exact, NameMap wildcards, RouteMatch defaultMatch, RouteMatch noSniMatch,
                       int size) {
        this.exact = exact;
        this.wildcards = wildcards;
        this.defaultMatch = defaultMatch;
        this.noSniMatch = noSniMatch;
        this.size = size;
    }

    /** The table of a listener's settings. Routes keep their order; later duplicates are never chosen. */
    public static RouteTable of(TlsListenerConfig tls) {
        Objects.requireNonNull(tls, "tls");
        Map<String, List<RouteConfig>> exactRoutes = new LinkedHashMap<>();
        Map<String, List<RouteConfig>> wildcardRoutes = new LinkedHashMap<>();
        for (RouteConfig r : tls.routes()) {
            if (r.wildcard()) {
                wildcardRoutes.computeIfAbsent(r.sni().substring(2), k -> new ArrayList<>()).add(r);
            } else {
                exactRoutes.computeIfAbsent(r.sni(), k -> new ArrayList<>()).add(r);
            }
        }
        RouteMatch defaultMatch = tls.defaultPool() == null
                ? null
                : new RouteMatch(tls.defaultPool(), RouteMatch.Kind.DEFAULT, null);
        RouteMatch noSniMatch = tls.noSni() == NoSniAction.DEFAULT ? defaultMatch : null;
        return new RouteTable(NameMap.of(exactRoutes, RouteMatch.Kind.EXACT),
                NameMap.of(wildcardRoutes, RouteMatch.Kind.WILDCARD), defaultMatch, noSniMatch, tls.routes().size());
    }

    /**
     * The pool for a ClientHello.
     *
     * @param sni  the server name, lowercase and without a trailing dot; null (or empty) when the ClientHello
     *             had none. Case is not folded here: that is the caller's job
     * @param alpn the protocols the client offered, in its order; empty (or null) when it sent no ALPN.
     *             Indexed with {@code get(i)}, so pass a random-access list
     * @return the match, or null when the connection is to be closed: no SNI with {@code no-sni: reject}, or
     *         nothing matched and there is no default pool
     */
    public RouteMatch route(String sni, List<String> alpn) {
        if (sni == null || sni.isEmpty()) {
            return noSniMatch;
        }
        RouteMatch m = Group.pick(exact.get(sni, 0), alpn);
        if (m != null) {
            return m;
        }
        int dot = sni.indexOf('.');
        if (dot > 0 && dot < sni.length() - 1) {
            m = Group.pick(wildcards.get(sni, dot + 1), alpn);
            if (m != null) {
                return m;
            }
        }
        return defaultMatch;
    }

    /** How many routes the table was built from. */
    public int size() {
        return size;
    }

    @Override
    public String toString() {
        return "RouteTable[" + size + " routes, default " + (defaultMatch == null ? "none" : defaultMatch.pool())
                + ", no SNI " + (noSniMatch == null ? "rejected" : "to default") + "]";
    }

    /** The routes of one {@code sni}, in file order: those with ALPN, and the first without. */
    private static final class Group {
        final String[][] alpn;
        final RouteMatch[] alpnMatches;
        final RouteMatch fallback;

        Group(List<RouteConfig> routes, RouteMatch.Kind kind) {
            List<RouteConfig> withAlpn = routes.stream().filter(r -> !r.alpn().isEmpty()).toList();
            alpn = new String[withAlpn.size()][];
            alpnMatches = new RouteMatch[withAlpn.size()];
            for (int i = 0; i < withAlpn.size(); i++) {
                alpn[i] = withAlpn.get(i).alpn().toArray(String[]::new);
                alpnMatches[i] = new RouteMatch(withAlpn.get(i).pool(), kind, withAlpn.get(i).sni());
            }
            fallback = routes.stream().filter(r -> r.alpn().isEmpty()).findFirst()
                    .map(r -> new RouteMatch(r.pool(), kind, r.sni())).orElse(null);
        }

        static RouteMatch pick(Group g, List<String> offered) {
            if (g == null) {
                return null;
            }
            if (offered != null && !offered.isEmpty()) {
                for (int i = 0; i < g.alpn.length; i++) {
                    if (sharesOne(g.alpn[i], offered)) {
                        return g.alpnMatches[i];
                    }
                }
            }
            return g.fallback;
        }

        private static boolean sharesOne(String[] protocols, List<String> offered) {
            for (int i = 0, n = offered.size(); i < n; i++) {
                String o = offered.get(i);
                for (String p : protocols) {
                    if (p.equals(o)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /**
     * An open-addressing hash map from names to groups whose lookup takes a suffix of a string without
     * cutting it out, so a wildcard lookup allocates nothing.
     */
    private static final class NameMap {
        private final String[] keys;
        private final int[] hashes;
        private final Group[] groups;
        private final int mask;

        private NameMap(int capacity) {
            keys = new String[capacity];
            hashes = new int[capacity];
            groups = new Group[capacity];
            mask = capacity - 1;
        }

        static NameMap of(Map<String, List<RouteConfig>> routes, RouteMatch.Kind kind) {
            // At most half full, so probes stay short and there is always an empty slot to end a miss.
            int capacity = Integer.highestOneBit(Math.max(1, routes.size()) * 2) * 2;
            NameMap map = new NameMap(capacity);
            routes.forEach((name, group) -> map.put(name, new Group(group, kind)));
            return map;
        }

        private void put(String key, Group group) {
            int h = hash(key, 0);
            int i = h & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            hashes[i] = h;
            groups[i] = group;
        }

        /** The group of {@code s.substring(from)}, or null. */
        Group get(String s, int from) {
            int h = hash(s, from);
            int length = s.length() - from;
            for (int i = h & mask; ; i = (i + 1) & mask) {
                String k = keys[i];
                if (k == null) {
                    return null;
                }
                if (hashes[i] == h && k.length() == length && s.regionMatches(from, k, 0, length)) {
                    return groups[i];
                }
            }
        }

        private static int hash(String s, int from) {
            int h = 0;
            for (int i = from, n = s.length(); i < n; i++) {
                h = 31 * h + s.charAt(i);
            }
            return h ^ (h >>> 16);
        }
    }
}
