package io.sluice.cli;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.PoolView;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The other nodes of the fleet a {@code drain --wait} follows ({@code --fleet} or {@code SLUICE_FLEET}):
 * the drain reaches them through the shared state store, but each holds its own connections, so the
 * drain's progress is the sum over all of them. Each poll asks every node for the pool
 * ({@code GET /api/v1/pools/{pool}}); a node that does not answer is shown as unreachable and keeps
 * the wait going (nobody can say it has no connections left).
 *
 * <p>Thread ownership: the command's thread only.
 */
final class FleetNodes {

    /**
     * One node's share at one poll.
     *
     * @param node    the node's admin address without the scheme ({@code 127.0.0.1:9901})
     * @param backend the backend as that node sees it; null when the node did not answer
     * @param problem why there is no backend ({@link #UNREACHABLE}, no such pool or backend), else null
     */
    record Count(String node, BackendView backend, String problem) {
        static final String UNREACHABLE = "unreachable";

        /** Nobody can say how many connections the node holds: the wait goes on. */
        boolean unknown() {
            return UNREACHABLE.equals(problem);
        }

        int active() {
            return backend == null ? 0 : backend.activeConnections();
        }

        /** The node has the drain in force (drain or maint). */
        boolean draining() {
            return backend != null && !"ready".equals(backend.admin());
        }

        /** The node takes no new connections to the backend: it has the drain in force, or no such backend. */
        boolean settled() {
            return backend == null ? !unknown() : draining();
        }

        /** {@code 127.0.0.1:9902 4}, {@code 127.0.0.1:9902 4 not draining}, {@code 127.0.0.1:9902 unreachable}. */
        String text() {
            if (backend == null) {
                return node + " " + problem;
            }
            return node + " " + backend.activeConnections() + (draining() ? "" : " not draining");
        }
    }

    private final List<AdminClient> clients;

    private FleetNodes(List<AdminClient> clients) {
        this.clients = clients;
    }

    /**
     * @param addresses the fleet's admin addresses as given (comma-separated lists already split); the
     *                  node the drain was sent to may be among them and is left out
     * @param target    the node the drain was sent to
     */
    static FleetNodes of(List<String> addresses, AdminClient target, Duration timeout) {
        Set<String> seen = new LinkedHashSet<>();
        seen.add(target.base());
        List<AdminClient> others = new ArrayList<>();
        for (String a : addresses) {
            if (a == null || a.isBlank()) {
                continue;
            }
            AdminClient c = new AdminClient(a.trim(), timeout);
            requireHttpUrl(a.trim(), c.base());
            if (seen.add(c.base())) {
                others.add(c);
            }
        }
        return new FleetNodes(List.copyOf(others));
    }

    boolean isEmpty() {
        return clients.isEmpty();
    }

    int size() {
        return clients.size();
    }

    /** Every other node's count for {@code target} now, in the order given. */
    List<Count> poll(BackendRef target) {
        List<Count> counts = new ArrayList<>(clients.size());
        String path = "/pools/" + AdminClient.segment(target.pool());
        for (AdminClient c : clients) {
            counts.add(count(c, path, target));
        }
        return counts;
    }

    private static Count count(AdminClient c, String path, BackendRef target) {
        String node = label(c);
        PoolView pool;
        try {
            pool = AdminClient.read(c.get(path), PoolView.class, "GET " + path);
        } catch (CliException e) {
            return new Count(node, null, e.exitCode() == ExitCodes.NOT_FOUND ? "has no pool " + target.pool() : Count.UNREACHABLE);
        }
        for (BackendView b : Views.list(pool.backends())) {
            if (target.backend().equals(b.name())) {
                return new Count(node, b, null);
            }
        }
        return new Count(node, null, "has no backend " + target.backend());
    }

    /** A bad address is a usage error at once, not a node that stays "unreachable" for ever. */
    private static void requireHttpUrl(String given, String base) {
        URI uri;
        try {
            uri = new URI(base);
        } catch (URISyntaxException e) {
            throw new CliException(ExitCodes.USAGE, "--fleet: '" + given + "' is not an http:// URL (" + e.getMessage() + ")");
        }
        if ((!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
            throw new CliException(ExitCodes.USAGE, "--fleet: '" + given + "' is not an http:// URL (expected http://host:port)");
        }
    }

    static String label(AdminClient c) {
        String base = c.base();
        int scheme = base.indexOf("://");
        return scheme < 0 ? base : base.substring(scheme + 3);
    }
}
