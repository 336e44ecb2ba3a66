package io.sluice.pool;

import static io.sluice.pool.PoolTests.backendNamed;
import static io.sluice.pool.PoolTests.tally;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.BalanceAlgorithm;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** How each balancer spreads real connections over real backends, through the daemon. */
class DistributionTest {

    @Test
    void roundRobinOverThreeEqualBackendsIsExact() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             TestBackend c = TestBackend.namedEcho("c");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder()
                     .balance(BalanceAlgorithm.ROUND_ROBIN).backend(a).backend(b).backend(c))) {
            Map<String, Integer> counts = tally(daemon, 3000);
            assertEquals(Map.of("a", 1000, "b", 1000, "c", 1000), counts);
            assertEquals(1000, a.accepted());
            assertEquals(1000, b.accepted());
            assertEquals(1000, c.accepted());
        }
    }

    @Test
    void weightedRoundRobinIsExactAndWeightZeroGetsNothing() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             TestBackend c = TestBackend.namedEcho("c");
             TestBackend zero = TestBackend.namedEcho("zero");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder()
                     .balance(BalanceAlgorithm.ROUND_ROBIN)
                     .backend(a, 100).backend(b, 200).backend(c, 300).backend(zero, 0))) {
            Map<String, Integer> counts = tally(daemon, 3000);
            assertEquals(Map.of("a", 500, "b", 1000, "c", 1500), counts);
            assertEquals(0, zero.accepted(), "a weight-0 backend must never be connected to");
        }
    }

    @Test
    void leastConnectionsFillsTheEmptiedBackend() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             TestBackend c = TestBackend.namedEcho("c");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder()
                     .balance(BalanceAlgorithm.LEAST_CONN).backend(a).backend(b).backend(c))) {
            Map<Socket, String> backendOf = new LinkedHashMap<>();
            for (int i = 0; i < 30; i++) {
                Socket s = Clients.connect(daemon.address());
                held.add(s);
                // The greeting is relayed only after the relay is established (and counted).
                backendOf.put(s, Clients.readLine(s));
            }
            assertEquals(Map.of("a", 10, "b", 10, "c", 10), countValues(backendOf));

            Iterator<Map.Entry<Socket, String>> it = backendOf.entrySet().iterator();
            int closed = 0;
            while (it.hasNext()) {
                Map.Entry<Socket, String> e = it.next();
                if (e.getValue().equals("a")) {
                    e.getKey().close();
                    it.remove();
                    closed++;
                }
            }
            assertEquals(10, closed);
            await().atMost(Duration.ofSeconds(5)).until(() -> backendNamed(daemon, "a").activeConnections() == 0);

            List<String> next = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Socket s = Clients.connect(daemon.address());
                held.add(s);
                next.add(Clients.readLine(s));
            }
            assertEquals(List.of("a", "a", "a", "a", "a", "a", "a", "a", "a", "a"), next);
            assertEquals(10, backendNamed(daemon, "a").activeConnections());
            assertEquals(10, backendNamed(daemon, "b").activeConnections());
            assertEquals(10, backendNamed(daemon, "c").activeConnections());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void randomTwoChoicesGivesEveryBackendAShare() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             TestBackend c = TestBackend.namedEcho("c");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder()
                     .balance(BalanceAlgorithm.RANDOM_TWO).backend(a).backend(b).backend(c))) {
            int n = 3000;
            Map<String, Integer> counts = tally(daemon, n);
            System.out.println("random-two over " + n + " sequential connections: " + counts);
            assertEquals(3, counts.size(), "unexpected backends: " + counts);
            for (String name : List.of("a", "b", "c")) {
                int got = counts.getOrDefault(name, 0);
                assertTrue(got > n * 0.20 && got < n * 0.47, name + " got " + got + " of " + n + ": " + counts);
            }
        }
    }

    private static Map<String, Integer> countValues(Map<?, String> m) {
        Map<String, Integer> counts = new TreeMap<>();
        m.values().forEach(v -> counts.merge(v, 1, Integer::sum));
        return counts;
    }
}
