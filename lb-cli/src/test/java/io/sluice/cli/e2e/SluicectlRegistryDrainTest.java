package io.sluice.cli.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.discovery.zookeeper.ZooKeeperRegistration;
import io.sluice.harness.SluiceExtension;
import io.sluice.harness.TestBackend;
import io.sluice.registration.InstancePayload;
import java.io.IOException;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * sluicectl against a real daemon that discovers its pool in a real ZooKeeper, where the instance
 * is in maintenance as {@code sluice-agent drain --reason} leaves it (the payload with who and why):
 * {@code backends} shows the registry's drain beside the operator's, and {@code undrain} ends only the
 * operator's, says the registry's still holds it and who set it, and exits 8.
 */
class SluicectlRegistryDrainTest {

    private static final String TOKEN = "e2e-admin-token";

    @Test
    void undrainSaysTheRegistryStillDrainsItAndWhoSetIt() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             TestBackend app = TestBackend.namedEcho("room-1")) {
            SluiceExtension daemon = SluiceExtension.builder().adminToken(TOKEN + "\n").configure(c -> c
                    .poolSetting("main", "discover: { zookeeper: { service: rooms } }")
                    .section("""
                            discovery:
                              zookeeper: { connect: "%s", base-path: /sluice }
                              wait-for-first-snapshot: true
                            """.formatted(zk.getConnectString()))).build();
            InstancePayload drained = new InstancePayload(100, true, "sluice-agent on app-host-7", "kernel upgrade",
                    System.currentTimeMillis());
            try (ZooKeeperRegistration room = ZooKeeperRegistration.register(zk.getConnectString(), "/sluice", "rooms",
                    "room-1", "127.0.0.1", app.address().getPort(), drained, 30_000, 15_000);
                 SluiceExtension d = daemon.start()) {
                Sluicectl ctl = new Sluicectl().env("SLUICE_ADMIN", d.adminUrl()).env("SLUICE_TOKEN_FILE", d.tokenFile().toString());
                await().atMost(Duration.ofSeconds(20)).until(() -> registryDrain(d).isObject());

                Sluicectl.Result drain = ctl.run("drain", "main/room-1", "--reason", "rack move");
                assertEquals(0, drain.exitCode(), drain::toString);
                Sluicectl.Result backends = ctl.run("backends", "main");
                assertEquals(0, backends.exitCode(), backends::toString);
                assertTrue(backends.out().contains("main/room-1  operator drain by admin api"), backends::toString);
                assertTrue(backends.out().contains("reason \"rack move\""), backends::toString);
                assertTrue(backends.out().contains("main/room-1  registry discovery: maintenance mode by sluice-agent on app-host-7"
                        + " (instance room-1 at "), backends::toString);
                assertTrue(backends.out().contains("reason \"kernel upgrade\""), backends::toString);

                Sluicectl.Result undrain = ctl.run("undrain", "main/room-1");
                assertEquals(8, undrain.exitCode(), undrain::toString);
                assertTrue(undrain.err().contains("sluicectl: main/room-1: the operator's drain is cleared, but the registry"
                        + " still drains it: discovery: maintenance mode by sluice-agent on app-host-7"), undrain::toString);
                assertTrue(undrain.err().contains("reason \"kernel upgrade\""), undrain::toString);
                assertTrue(!undrain.out().contains("operator drain"), "the operator's drain is gone: " + undrain);

                Sluicectl.Result explain = ctl.run("explain", "--client", "127.0.0.1");
                assertTrue(explain.out().contains("registry: discovery: maintenance mode by sluice-agent on app-host-7"),
                        explain::toString);

                // Once the registry lets go (sluice-agent ready), undrain has nothing left to say: exit 0.
                room.setMaintenance(false);
                await().atMost(Duration.ofSeconds(20)).until(() -> registryDrain(d).isNull());
                Sluicectl.Result again = ctl.run("undrain", "main/room-1");
                assertEquals(0, again.exitCode(), again::toString);
                assertEquals("", again.err(), again::toString);
            }
        }
    }

    private static JsonNode registryDrain(SluiceExtension d) throws IOException, InterruptedException {
        for (JsonNode b : d.adminJson("/api/v1/pools/main").path("backends")) {
            if ("room-1".equals(b.path("name").asText())) {
                return b.path("registry_drain");
            }
        }
        return d.adminJson("/api/v1/pools/main").path("none");
    }
}
