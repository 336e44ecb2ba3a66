package io.sluice.cli.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

    private static final String TOKEN = "e2e-admin-token";

    private static SluiceExtension node(TestingServer zk) {
        return SluiceExtension.builder().backend("a").backend("b").adminToken(TOKEN + "\n").configure(c -> c
                .section("""
                        discovery:
                          zookeeper: { connect: "%s", base-path: /sluice }
                        state:
                          store: zookeeper
                        """.formatted(zk.getConnectString()))).build();
    }

    private static String admin(SluiceExtension d, String backend) throws IOException, InterruptedException {
        for (JsonNode b : d.adminJson("/api/v1/pools/main").path("backends")) {
            if (backend.equals(b.path("name").asText())) {
                return b.path("admin").asText();
            }
        }
        throw new AssertionError("no backend " + backend + " in " + d);
    }

    @Test
    void aDrainWhileTheStoreIsDownSaysWhatHappenedAndExitsSix() throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            SluiceExtension one = node(zk);
            SluiceExtension two = node(zk);
            try {
                one.start();
                two.start();
                Sluicectl ctl = new Sluicectl().env("SLUICE_ADMIN", one.adminUrl())
                        .env("SLUICE_TOKEN_FILE", one.tokenFile().toString());
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
            } finally {
                two.close();
                one.close();
            }
        }
    }
}
