package io.sluice.cli.e2e;

import static io.sluice.cli.e2e.SharedStoreFleet.backend;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Clients;
import io.sluice.harness.SluiceExtension;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 3: {@code drain --wait} with two real daemon processes sharing their admin state
 * through a real ZooKeeper and long-lived connections on both. The drain is sent to node one; node
 * two holds more connections. The wait shows both nodes' counts, goes past the drain deadline while
 * the daemons close the rest at the close rate, and exits 0 only when node two has none left either.
 */
class SluicectlFleetDrainTest {

    /** {@code count} connections through {@code d} that landed on backend a, left open. */
    private static List<Socket> openOnA(SluiceExtension d, int count, List<Socket> all) throws IOException {
        List<Socket> on = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket s = Clients.connectTo(d.address(), "a", 10); // round-robin over a and b: bounded attempts
            assertNotNull(s, "no connection landed on a through " + d);
            on.add(s);
            all.add(s);
        }
        return on;
    }

    /** The proxy closed it: the read ends (EOF or reset), well within the read timeout. */
    private static boolean closedByTheProxy(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }

    @Test
    void theWaitAddsUpEveryNodeAndFollowsThePacedCloseToZero() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try (SharedStoreFleet fleet = SharedStoreFleet.start()) {
            SluiceExtension one = fleet.one();
            SluiceExtension two = fleet.two();
            try {
                List<Socket> viaOne = openOnA(one, 2, sockets);
                List<Socket> viaTwo = openOnA(two, 6, sockets);
                await().atMost(Duration.ofSeconds(10)).until(() -> backend(one, "a").path("active_connections").asInt() == 2
                        && backend(two, "a").path("active_connections").asInt() == 6);
                String here = one.adminUrl().substring("http://".length());
                String there = two.adminUrl().substring("http://".length());

                Sluicectl.Result r = fleet.sluicectl().run("drain", "main/a", "--deadline", "1s", "--close-rate", "2/s",
                        "--wait", "--wait-timeout", "60s", "--fleet", two.adminUrl());
                System.out.println("drain --wait over two nodes: " + r);
                assertEquals(0, r.exitCode(), r::toString);
                // Not "no connections left" while node two still had some: when sluicectl is done, both have none.
                assertEquals(0, backend(one, "a").path("active_connections").asInt());
                assertEquals(0, backend(two, "a").path("active_connections").asInt());
                assertEquals("drain", backend(two, "a").path("admin").asText(), "the drain reached node two through ZooKeeper");
                assertTrue(r.err().startsWith("main/a: 8 left of 8 (" + here + " 2, " + there + " 6"), r::toString);
                assertTrue(r.err().contains("passed with"), "the wait went on past the deadline: " + r);
                assertTrue(r.err().contains("(" + here + " 0, " + there + " "), "node one done first, node two still"
                        + " counted: " + r);
                assertTrue(r.err().endsWith("main/a: 0 left of 8 (" + here + " 0, " + there + " 0)\n"), r::toString);
                assertTrue(r.out().endsWith("main/a is drained: no connections left on 2 nodes\n"), r::toString);
                for (Socket s : viaOne) {
                    assertTrue(closedByTheProxy(s), "node one closed its connections");
                }
                for (Socket s : viaTwo) {
                    assertTrue(closedByTheProxy(s), "node two closed its connections");
                }
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
