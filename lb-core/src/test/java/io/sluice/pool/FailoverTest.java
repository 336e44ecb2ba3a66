package io.sluice.pool;

import static io.sluice.pool.PoolTests.deadAddress;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.BackendConfig;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.harness.Clients;
import io.sluice.harness.EachRelay;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.SilentBackend;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Connect failures: retries onto live backends, and what the client sees when nothing is left. */
class FailoverTest extends EachRelay {

    /** Reads the greeting; null when the daemon closed (EOF) or reset the connection. A timeout fails the test. */
    private static String greetingOrNull(Socket s) throws IOException {
        try {
            return Clients.readLine(s);
        } catch (SocketTimeoutException hang) {
            throw new AssertionError("the daemon neither relayed nor closed the connection", hang);
        } catch (SocketException reset) {
            return null;
        }
    }

    @Test
    void oneDeadBackendOfThreeIsRetriedAround() throws Exception {
        InetSocketAddress dead = deadAddress();
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend c = TestBackend.namedEcho("c");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder()
                     .balance(BalanceAlgorithm.ROUND_ROBIN)
                     .backend(a).backend("b-dead", dead, 100).backend(c))) {
            for (int i = 0; i < 300; i++) {
                try (Socket s = Clients.connect(daemon.address())) {
                    String name = greetingOrNull(s);
                    assertTrue(Set.of("a", "c").contains(name), "connection " + i + " got " + name);
                }
            }
            double failures = daemon.count("sluice.backend.connect.failures",
                    "pool", "main", "backend", "b-dead", "reason", "refused");
            System.out.println("one dead of three: connect failures on b-dead (refused) = " + failures
                    + "; a accepted " + a.accepted() + ", c accepted " + c.accepted());
            assertTrue(failures > 0, "refused connects to the dead backend must be counted as 'refused'");
            assertEquals(300, a.accepted() + c.accepted());
            assertEquals(0, daemon.count("sluice.connections.refused", "listener", "main", "reason", "connect-failed"));
        }
    }

    @Test
    void allBackendsDownClosesTheClientPromptly() throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder()
                     .backend("x", deadAddress(), 100).backend("y", deadAddress(), 100));
             Socket s = Clients.connect(daemon.address())) {
            // EOF or reset; a hang would end in SocketTimeoutException after the 10 s read timeout.
            assertNull(greetingOrNull(s));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    daemon.count("sluice.connections.refused", "listener", "main", "reason", "connect-failed") == 1);
            assertEquals(1, daemon.count("sluice.backend.connect.failures", "pool", "main", "backend", "x", "reason", "refused"));
            assertEquals(1, daemon.count("sluice.backend.connect.failures", "pool", "main", "backend", "y", "reason", "refused"));
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 0);
        }
    }

    @Test
    void noEligibleBackendIsRefusedAsNoBackend() throws Exception {
        try (TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b))) {
            assertTrue(Set.of("a", "b").contains(Clients.backendNameVia(daemon.address())));
            daemon.pool().update(List.of(
                    new BackendConfig("a", a.address(), 0), new BackendConfig("b", b.address(), 0)));
            assertEquals(List.of(), daemon.pool().eligibleBackends());
            try (Socket s = Clients.connect(daemon.address())) {
                assertNull(greetingOrNull(s));
            }
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    daemon.count("sluice.connections.refused", "listener", "main", "reason", "no-backend") == 1);
            assertEquals(0, daemon.count("sluice.connections.refused", "listener", "main", "reason", "connect-failed"));
            assertEquals(1, a.accepted() + b.accepted(), "weight-0 backends must not be connected to");
        }
    }

    @Test
    void withoutRetriesADeadBackendFailsItsShare() throws Exception {
        try (TestBackend live = TestBackend.namedEcho("b-live");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder()
                     .balance(BalanceAlgorithm.ROUND_ROBIN).retries(0)
                     .backend("a-dead", deadAddress(), 100).backend(live))) {
            int n = 20;
            int failed = 0;
            for (int i = 0; i < n; i++) {
                try (Socket s = Clients.connect(daemon.address())) {
                    String name = greetingOrNull(s);
                    if (name == null) {
                        failed++;
                    } else {
                        assertEquals("b-live", name);
                    }
                }
            }
            int failedClients = failed;
            System.out.println("retries 0, dead backend first in round-robin order: " + failed + " of " + n + " failed");
            assertTrue(failed > 0, "with retries 0 the dead backend's turns must fail");
            assertEquals(n / 2, failed, "round-robin over two equal backends gives the dead one every other turn");
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    daemon.count("sluice.connections.refused", "listener", "main", "reason", "connect-failed") == failedClients);
            assertEquals(n - failed, live.accepted());
        }
    }

    @Test
    void aBackendThatNeverCompletesTheConnectTimesOutAndTheNextOneServes() throws Exception {
        try (SilentBackend silent = SilentBackend.open();
             TestBackend live = TestBackend.namedEcho("b-live");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder()
                     .balance(BalanceAlgorithm.ROUND_ROBIN).retries(1).connectTimeout(Duration.ofMillis(300))
                     .backend("a-silent", silent.address(), 100).backend(live))) {
            for (int i = 0; i < 4; i++) {
                try (Socket s = Clients.connect(daemon.address())) {
                    assertEquals("b-live", greetingOrNull(s), "connection " + i);
                }
            }
            assertTrue(daemon.count("sluice.backend.connect.failures",
                    "pool", "main", "backend", "a-silent", "reason", "timeout") >= 1,
                    "the silent backend's turns must time out, counted as 'timeout'");
            assertEquals(4, live.accepted());
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 0);
        }
    }
}
