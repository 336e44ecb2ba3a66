package io.sluice.registry.zookeeper;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.Ports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** Against a real ZooKeeper (curator-test's TestingServer). */
class ZooKeeperClientTest {

    private static boolean threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(prefix) && t.isAlive());
    }

    @Test
    void connectsWritesAndClosesItsThreads() throws Exception {
        try (TestingServer zk = new TestingServer()) {
            ZooKeeperClient client = ZooKeeperClient.connect(zk.getConnectString(), "zkc-test",
                    ZooKeeperClient.Retry.BRIEF, 10_000);
            client.curator().create().forPath("/x", "hello".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), client.curator().getData().forPath("/x"));
            assertTrue(threadsNamed("zkc-test"));
            client.close();
            client.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !threadsNamed("zkc-test"));
        }
    }

    @Test
    void noServerIsAClearErrorWithinTheTimeoutAndLeavesNoThreads() throws Exception {
        int closedPort = Ports.freePort();
        IOException e = assertThrows(IOException.class, () -> ZooKeeperClient.connect("127.0.0.1:" + closedPort,
                "zkc-none", ZooKeeperClient.Retry.BRIEF, 500));
        assertTrue(e.getMessage().startsWith("no connection to ZooKeeper at 127.0.0.1:" + closedPort + " within 500 ms"),
                e.getMessage());
        await().atMost(Duration.ofSeconds(10)).until(() -> !threadsNamed("zkc-none"));
    }
}
