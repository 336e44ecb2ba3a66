package io.sluice.operations;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.HealthCheckType;
import io.sluice.config.PassiveConfig;
import io.sluice.harness.Clients;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Active and passive health seen through the admin API and real traffic. */
class HealthEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void aStoppedBackendGoesDownTakesNoTrafficAndComesBackAfterRise() throws Exception {
        TestBackend a = TestBackend.namedEcho("a");
        int portOfA = a.address().getPort();
        TestBackend revived = null;
        try (TestBackend b = TestBackend.namedEcho("b");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(a).backend(b)
                     .health(HealthCheckType.TCP, Duration.ofMillis(200), Duration.ofMillis(200), 2, 2)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            await().atMost(Duration.ofSeconds(5)).until(() -> "ok".equals(api.backend("main", "a").path("last_check_result").asText()));
            assertEquals("up", api.backend("main", "a").path("health").asText());

            a.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> "down".equals(api.backend("main", "a").path("health").asText()));
            JsonNode down = api.backend("main", "a");
            assertEquals("refused", down.path("last_check_result").asText(), down.toString());
            assertTrue(down.path("cause").asText().startsWith("2 failed checks"), down.toString());
            assertTrue(!down.path("eligible").asBoolean(true), down.toString());

            double failuresBefore = daemon.count("sluice.backend.connect.failures", "pool", "main", "backend", "a", "reason", "refused");
            List<String> names = Ops.namesOf(daemon.address(), 20);
            assertTrue(names.stream().allMatch("b"::equals), names.toString());
            assertEquals(failuresBefore, daemon.count("sluice.backend.connect.failures", "pool", "main", "backend", "a", "reason", "refused"),
                    "a DOWN backend is not even tried");

            // The same port again (SO_REUSEADDR), as a restarted server would.
            revived = TestBackend.namedEchoOn("a", portOfA);
            await().atMost(Duration.ofSeconds(10)).until(() -> "up".equals(api.backend("main", "a").path("health").asText()));
            JsonNode up = api.backend("main", "a");
            assertEquals("2 good checks", up.path("cause").asText(), up.toString());
            assertTrue(up.path("eligible").asBoolean(), up.toString());
            List<String> after = Ops.namesOf(daemon.address(), 6);
            assertTrue(after.contains("a"), after.toString());

            String scrape = api.get("/metrics").body();
            assertTrue(scrape.contains("sluice_backend_health_checks_total{backend=\"a\",pool=\"main\",result=\"refused\"}"), scrape);
            assertTrue(scrape.contains("sluice_backend_health_checks_total{backend=\"a\",pool=\"main\",result=\"ok\"}"), scrape);
        } finally {
            a.close();
            if (revived != null) {
                revived.close();
            }
        }
    }

    /**
     * docs/health-checks.md: sluice_backend_health_checks_total has the tag result with values like
     * {@code ok}, {@code refused}, {@code http 503}. The daemon (SluiceDaemon.CheckerEvents.checked)
     * cuts the result at the first space or colon, so every HTTP failure is counted as "http" and
     * every TLS one as "tls".
     */
    @Test
    void anHttpCheckFailureIsCountedWithItsStatusAsTheDocsSay() throws Exception {
        try (TestBackend unhealthy = TestBackend.with("h", (socket, self) -> {
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // the request head
            }
            socket.getOutputStream().write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        });
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(unhealthy)
                     .health(HealthCheckType.HTTP, Duration.ofMillis(200), Duration.ofMillis(200), 2, 2)
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            await().atMost(Duration.ofSeconds(10)).until(() -> "down".equals(api.backend("main", "h").path("health").asText()));
            assertEquals("http 503", api.backend("main", "h").path("last_check_result").asText());
            String scrape = api.get("/metrics").body();
            assertTrue(scrape.contains("sluice_backend_health_checks_total{backend=\"h\",pool=\"main\",result=\"http\"}"), scrape);
        }
    }

    @Test
    void consecutiveConnectFailuresOfRealTrafficEjectADeadBackend() throws Exception {
        InetSocketAddress dead = Ops.deadAddress();
        try (TestBackend live = TestBackend.namedEcho("live");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(live)
                     .backend("dead", dead, 100)
                     .passive(new PassiveConfig(3, Duration.ofHours(1)))
                     .admin(AdminClient.adminConfig(dir)))) {
            AdminClient api = new AdminClient(daemon.daemon().adminAddress());
            assertEquals("up", api.backend("main", "dead").path("health").asText(), "optimistic start");

            // Each connection that picks the dead backend fails over to the live one (retries 2).
            for (int i = 0; i < 30 && daemon.count("sluice.backend.connect.failures", "pool", "main", "backend", "dead", "reason", "refused") < 3; i++) {
                assertEquals("live", Clients.backendNameVia(daemon.address()));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> "down".equals(api.backend("main", "dead").path("health").asText()));
            JsonNode view = api.backend("main", "dead");
            assertEquals("3 connect failures from traffic", view.path("cause").asText(), view.toString());

            double failures = daemon.count("sluice.backend.connect.failures", "pool", "main", "backend", "dead", "reason", "refused");
            assertTrue(Ops.namesOf(daemon.address(), 10).stream().allMatch("live"::equals));
            assertEquals(failures, daemon.count("sluice.backend.connect.failures", "pool", "main", "backend", "dead", "reason", "refused"),
                    "an ejected backend is not tried");
            // health type none: nothing brings it back before the ejection ends.
            assertEquals("down", api.backend("main", "dead").path("health").asText());
        }
    }
}
