package io.sluice.cli.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.SluiceExtension;
import java.io.IOException;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * sluicectl against two real daemon processes sharing their admin state through a real ZooKeeper:
 * with ZooKeeper stopped, {@code drain} says the change is on this node only and exits 6; once
 * ZooKeeper is back the other node has it and {@code status} shows nothing queued.
 */
class SluicectlSharedStoreTest {

    private static String admin(SluiceExtension d, String backend) throws IOException, InterruptedException {
        return SharedStoreFleet.backend(d, backend).path("admin").asText();
    }

    @Test
    void aDrainWhileTheStoreIsDownSaysWhatHappenedAndExitsSix() throws Exception {
        try (SharedStoreFleet fleet = SharedStoreFleet.start()) {
            SluiceExtension one = fleet.one();
            SluiceExtension two = fleet.two();
            TestingServer zk = fleet.zk();
            Sluicectl ctl = fleet.sluicectl();
            zk.stop();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    !one.adminJson("/api/v1/status").path("shared_store").path("reachable").asBoolean(true));

            Sluicectl.Result r = ctl.run("drain", "main/a");
            assertEquals(6, r.exitCode(), r::toString);
            assertTrue(r.out().contains("main/a is draining"), r::toString);
            assertTrue(r.out().contains("applied on this node; not yet in the shared store: other nodes do not have it"),
                    r::toString);
            Sluicectl.Result status = ctl.run("status");
            assertTrue(status.out().contains("1 change queued"), status::toString);
            assertEquals("ready", admin(two, "a"));

            zk.restart();
            await().atMost(Duration.ofSeconds(30)).until(() -> "drain".equals(admin(two, "a")));
            await().atMost(Duration.ofSeconds(30)).until(() -> ctl.run("status").out().contains("reachable, nothing queued"));
            Sluicectl.Result undrain = ctl.run("undrain", "main/a");
            assertEquals(0, undrain.exitCode(), undrain::toString);
        }
    }
}
