package io.sluice.pool;

import static io.sluice.pool.PoolTests.backendOfEach;
import static io.sluice.pool.PoolTests.clients;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.ExplainView;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.config.HealthCheckType;
import io.sluice.config.StickyKeyType;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, fault 2: two nodes, one of which saw every client during a backend's failure (its stick
 * table full of fallback choices), the other none. Once both see the backend back, every one of 200
 * clients is routed the same by both (asked through each node's explain, and through real
 * connections), because the stick table does not override Maglev.
 */
class FleetStickinessTest {

    private static final List<InetAddress> CLIENTS = clients(3, 1, 200);

    private static TestConfigs node(TestBackend... backends) {
        TestConfigs config = TestConfigs.builder().balance(BalanceAlgorithm.MAGLEV)
                .sticky(TestConfigs.sticky(StickyKeyType.SOURCE_IP))
                .health(HealthCheckType.TCP, Duration.ofMillis(200), Duration.ofMillis(150), 1, 1);
        for (TestBackend t : backends) {
            config.backend(t);
        }
        return config;
    }

    private static boolean up(RunningDaemon d, String backend, boolean wanted) {
        return d.daemon().admin().pool("main").backends().stream()
                .filter(b -> b.name().equals(backend)).map(BackendView::health).findFirst()
                .map(h -> h.equals(wanted ? "up" : "down")).orElse(false);
    }

    private static List<String> disagreements(RunningDaemon one, RunningDaemon two) {
        List<String> out = new ArrayList<>();
        for (InetAddress c : CLIENTS) {
            ExplainView x = one.daemon().admin().explain(null, null, List.of(), c);
            ExplainView y = two.daemon().admin().explain(null, null, List.of(), c);
            if (!x.backend().equals(y.backend())) {
                out.add(c.getHostAddress() + ": " + x.backend() + " (" + x.decidedBy() + ") vs " + y.backend()
                        + " (" + y.decidedBy() + ")");
            }
        }
        return out;
    }

    @Test
    void afterABackendFailsAndRecoversBothNodesRouteEveryClientTheSame() throws Exception {
        TestBackend a = TestBackend.namedEcho("a");
        int port = a.address().getPort();
        try (TestBackend b = TestBackend.namedEcho("b");
             TestBackend c = TestBackend.namedEcho("c");
             RunningDaemon one = RunningDaemon.start(node(a, b, c));
             RunningDaemon two = RunningDaemon.start(node(a, b, c))) {
            Map<InetAddress, String> healthy = backendOfEach(one, CLIENTS);
            assertEquals(List.of(), disagreements(one, two));

            a.close(); // the backend fails; only node one carries traffic meanwhile
            await().atMost(Duration.ofSeconds(10)).until(() -> up(one, "a", false) && up(two, "a", false));
            Map<InetAddress, String> duringFailure = backendOfEach(one, CLIENTS);
            assertTrue(duringFailure.values().stream().noneMatch("a"::equals));
            assertEquals(List.of(), disagreements(one, two), "same eligible set, same table: agreement during the failure");

            a = TestBackend.namedEchoOn("a", port); // it recovers
            await().atMost(Duration.ofSeconds(10)).until(() -> up(one, "a", true) && up(two, "a", true));
            List<String> disagree = disagreements(one, two);
            System.out.println("backend failure and recovery, " + CLIENTS.size() + " clients: " + disagree.size()
                    + " disagreements; node one's stick table holds " + one.pool().stickTable().size() + " entries,"
                    + " node two's " + two.pool().stickTable().size());
            assertEquals(List.of(), disagree);
            assertEquals(healthy, backendOfEach(one, CLIENTS), "every client is back where it was before the failure");
            assertEquals(healthy, backendOfEach(two, CLIENTS));
            assertEquals(one.daemon().admin().pool("main").maglevFingerprint(),
                    two.daemon().admin().pool("main").maglevFingerprint());
        } finally {
            a.close();
        }
    }
}
