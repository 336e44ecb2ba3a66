package io.sluice.pool;

import static io.sluice.pool.PoolTests.backendOfEach;
import static io.sluice.pool.PoolTests.clients;
import static io.sluice.pool.PoolTests.loopback;
import static io.sluice.pool.PoolTests.spread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.BackendConfig;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.config.StickyConfig;
import io.sluice.config.StickyKeyType;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Maglev + stick table through the daemon: clients identified by their loopback source address. */
class StickinessTest {

    /** 127.0.0.2 .. 127.0.0.250: 249 distinct clients. */
    private static final List<InetAddress> CLIENTS = clients(0, 2, 250);

    private TestBackend a;
    private TestBackend b;
    private TestBackend c;
    private TestBackend d;

    @BeforeEach
    void startBackends() throws Exception {
        a = TestBackend.namedEcho("a");
        b = TestBackend.namedEcho("b");
        c = TestBackend.namedEcho("c");
        d = TestBackend.namedEcho("d");
    }

    @AfterEach
    void stopBackends() {
        for (TestBackend t : new TestBackend[] {a, b, c, d}) {
            if (t != null) {
                t.close();
            }
        }
    }

    private static TestConfigs maglev(TestBackend... backends) {
        TestConfigs config = TestConfigs.builder().balance(BalanceAlgorithm.MAGLEV)
                .sticky(TestConfigs.sticky(StickyKeyType.SOURCE_IP));
        for (TestBackend t : backends) {
            config.backend(t);
        }
        return config;
    }

    @Test
    void everyClientAlwaysReachesTheSameBackendAndTheSpreadIsFair() throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(maglev(a, b, c))) {
            Map<InetAddress, String> first = backendOfEach(daemon, CLIENTS);
            for (int round = 2; round <= 3; round++) {
                Map<InetAddress, String> again = backendOfEach(daemon, CLIENTS);
                assertEquals(first, again, "round " + round + " moved a client");
            }
            Map<String, Integer> spread = spread(first);
            System.out.println("maglev source-ip, 3 backends, " + CLIENTS.size() + " clients: " + spread);
            assertEquals(List.of("a", "b", "c"), List.copyOf(spread.keySet()));
            for (Map.Entry<String, Integer> e : spread.entrySet()) {
                assertTrue(e.getValue() > CLIENTS.size() * 0.15, "degenerate spread: " + spread);
            }
        }
    }

    @Test
    void removingABackendMovesOnlyItsClients() throws Exception {
        TestConfigs config = maglev(a, b, c, d);
        try (RunningDaemon daemon = RunningDaemon.start(config)) {
            Map<InetAddress, String> before = backendOfEach(daemon, CLIENTS);
            String removed = "b";
            List<BackendConfig> without = new ArrayList<>(config.backends());
            without.removeIf(bc -> bc.name().equals(removed));
            daemon.pool().update(without);

            Map<InetAddress, String> after = backendOfEach(daemon, CLIENTS);
            int ofRemoved = 0;
            int movedOfRemoved = 0;
            int movedOthers = 0;
            for (InetAddress client : CLIENTS) {
                boolean moved = !before.get(client).equals(after.get(client));
                if (before.get(client).equals(removed)) {
                    ofRemoved++;
                    movedOfRemoved += moved ? 1 : 0;
                } else {
                    movedOthers += moved ? 1 : 0;
                }
            }
            System.out.println("maglev remove '" + removed + "' of 4: before " + spread(before) + ", after "
                    + spread(after) + "; clients of '" + removed + "': " + ofRemoved + " (moved " + movedOfRemoved
                    + "); other clients moved: " + movedOthers);
            assertTrue(ofRemoved > 0, "the removed backend had no clients: " + spread(before));
            assertEquals(0, movedOthers, "clients of the remaining backends must stay");
            assertEquals(ofRemoved, movedOfRemoved, "every client of the removed backend must move");
            assertEquals(0, spread(after).getOrDefault(removed, 0));
        }
    }

    /**
     * The stick table does not override Maglev (docs/balancing.md): after a backend joins, clients
     * this node has seen go where a node that never saw them sends them, so nodes agree.
     */
    @Test
    void addingABackendRoutesSeenClientsLikeANodeThatNeverSawThem() throws Exception {
        TestConfigs config = maglev(a, b, c);
        try (RunningDaemon daemon = RunningDaemon.start(config);
             RunningDaemon fresh = RunningDaemon.start(maglev(a, b, c, d))) {
            Map<InetAddress, String> before = backendOfEach(daemon, CLIENTS);
            List<BackendConfig> grown = new ArrayList<>(config.backends());
            grown.add(new BackendConfig(d.name(), d.address(), 100));
            daemon.pool().update(grown);

            Map<InetAddress, String> after = backendOfEach(daemon, CLIENTS);
            Map<InetAddress, String> unseen = backendOfEach(fresh, CLIENTS);
            long moved = CLIENTS.stream().filter(cl -> !before.get(cl).equals(after.get(cl))).count();
            System.out.println("maglev add 'd' to 3 (stick table warm): seen clients moved " + moved + " of "
                    + CLIENTS.size() + ", as on a node that never saw them");
            assertEquals(unseen, after, "a warm stick table must not make this node disagree with a fresh one");
            assertEquals(Long.toHexString(fresh.pool().maglevTable().fingerprint()),
                    Long.toHexString(daemon.pool().maglevTable().fingerprint()));
            assertTrue(daemon.pool().stickTable().size() >= CLIENTS.size(), "the table still records the clients");
        }
    }

    @Test
    void withoutTheStickTableAddingABackendMovesAboutAQuarter() throws Exception {
        Map<InetAddress, String> three;
        Map<InetAddress, String> four;
        try (RunningDaemon daemon = RunningDaemon.start(maglev(a, b, c))) {
            three = backendOfEach(daemon, CLIENTS);
        }
        try (RunningDaemon daemon = RunningDaemon.start(maglev(a, b, c, d))) {
            four = backendOfEach(daemon, CLIENTS);
        }
        int moved = 0;
        int movedToNew = 0;
        for (InetAddress client : CLIENTS) {
            if (!three.get(client).equals(four.get(client))) {
                moved++;
                movedToNew += four.get(client).equals("d") ? 1 : 0;
            }
        }
        System.out.println("maglev 3 -> 4 backends, fresh daemons: moved " + moved + " of " + CLIENTS.size()
                + " (" + movedToNew + " to the new backend, " + (moved - movedToNew) + " between old ones)");
        assertTrue(moved > CLIENTS.size() * 0.10 && moved < CLIENTS.size() * 0.40,
                "moved " + moved + " of " + CLIENTS.size());
    }

    @Test
    void configOrderDoesNotMatter() throws Exception {
        Map<InetAddress, String> one;
        Map<InetAddress, String> other;
        try (RunningDaemon daemon = RunningDaemon.start(maglev(a, b, c, d))) {
            one = backendOfEach(daemon, CLIENTS);
        }
        try (RunningDaemon daemon = RunningDaemon.start(maglev(d, b, a, c))) {
            other = backendOfEach(daemon, CLIENTS);
        }
        assertEquals(one, other);
        assertEquals(4, spread(one).size(), "degenerate spread: " + spread(one));
    }

    @Test
    void sourcePrefixKeepsASlash24Together() throws Exception {
        StickyConfig prefix = new StickyConfig(StickyKeyType.SOURCE_PREFIX, 24, 64, Duration.ofMinutes(30), 100_000);
        try (RunningDaemon daemon = RunningDaemon.start(
                TestConfigs.builder().balance(BalanceAlgorithm.MAGLEV).sticky(prefix)
                        .backend(a).backend(b).backend(c).backend(d))) {
            String first = Clients.backendNameVia(daemon.address(), Clients.loopback(2));
            assertEquals(first, Clients.backendNameVia(daemon.address(), Clients.loopback(77)));
            // More members of the /24: had the prefix been ignored, each would be a 1-in-4 coincidence.
            for (int last : new int[] {130, 201, 250}) {
                assertEquals(first, Clients.backendNameVia(daemon.address(), Clients.loopback(last)),
                        "127.0.0." + last);
            }
            // Different /24s are different keys: they do not all collapse onto one backend.
            List<InetAddress> otherNets = new ArrayList<>();
            for (int net = 1; net <= 24; net++) {
                otherNets.add(loopback(0, net, 2));
            }
            Map<String, Integer> spread = spread(backendOfEach(daemon, otherNets));
            assertTrue(spread.size() > 1, "all /24s on one backend: " + spread);
        }
    }
}
