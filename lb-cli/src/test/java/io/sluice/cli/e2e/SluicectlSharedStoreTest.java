package io.sluice.cli.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.admin.BackendView;
import io.sluice.config.DiscoveryConfig;
import io.sluice.config.StateConfig;
import io.sluice.config.ZooKeeperRegistryConfig;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sluicectl against two real daemons sharing their admin state through a real ZooKeeper: with
 * ZooKeeper stopped, {@code drain} says the change is on this node only and exits 6; once ZooKeeper
 * is back the other node has it and {@code status} shows nothing queued.
 */
class SluicectlSharedStoreTest {

    private static final String TOKEN = "e2e-admin-token";

    @TempDir
    Path dir;

    private static String admin(RunningDaemon d, String backend) {
        return d.daemon().admin().pool("main").backends().stream()
                .filter(b -> b.name().equals(backend)).map(BackendView::admin).findFirst().orElseThrow();
    }

    @Test
    void aDrainWhileTheStoreIsDownSaysWhatHappenedAndExitsSix() throws Exception {
        Path token = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        try (TestingServer zk = new TestingServer(true);
             TestBackend a = TestBackend.namedEcho("a");
             TestBackend b = TestBackend.namedEcho("b")) {
            TestConfigs config = TestConfigs.builder().backend(a).backend(b).admin(token)
                    .discover(null, new DiscoveryConfig(null, new ZooKeeperRegistryConfig(zk.getConnectString(), "/sluice"), true))
                    .state(new StateConfig("zookeeper", null));
            try (RunningDaemon one = RunningDaemon.start(config);
                 RunningDaemon two = RunningDaemon.start(config)) {
                Sluicectl ctl = new Sluicectl()
                        .env("SLUICE_ADMIN", "http://127.0.0.1:" + one.daemon().adminAddress().getPort())
                        .env("SLUICE_TOKEN_FILE", token.toString());
                zk.stop();
                await().atMost(Duration.ofSeconds(20)).until(() -> !one.daemon().admin().status().sharedStore().reachable());

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
}
