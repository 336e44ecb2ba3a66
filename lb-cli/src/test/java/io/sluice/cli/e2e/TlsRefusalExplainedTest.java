package io.sluice.cli.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.TlsClients;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS client whose SNI no route matches, on a listener without a default pool: a real JDK
 * ClientHello to a real daemon process. Its access-log line names the SNI and the refusal, and
 * {@code sluicectl explain} for that name says the connection is refused and why, with exit 1.
 */
class TlsRefusalExplainedTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aRefusedClientHelloIsLoggedWithItsSniAndExplainSaysWhy() throws Exception {
        int port = Ports.freePort();
        int admin = Ports.freePort();
        Path config = dir.resolve("tls.yaml");
        Files.writeString(config, """
                listeners:
                  - name: edge
                    bind: 127.0.0.1:%d
                    mode: tls
                    routes:
                      - { sni: chat.example.test, pool: chat }
                pools:
                  chat:
                    health: { type: none }
                    backends:
                      - { name: chat-1, address: 127.0.0.1:%d }
                admin: { bind: 127.0.0.1:%d }
                """.formatted(port, Ports.freePort(), admin));
        try (DaemonProcess p = DaemonProcess.launch().adminPort(admin).start(dir, "run", "--config", config.toString())) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> p.status().path("pid").asLong() == p.pid());

            assertThrows(SSLException.class,
                    () -> TlsClients.handshake(new InetSocketAddress("127.0.0.1", port), "other.example.test"));
            await().atMost(Duration.ofSeconds(20)).until(() -> p.output().contains("\"close_reason\":\"tls-refused\""));
            String line = p.output().lines().filter(l -> l.contains("\"close_reason\":\"tls-refused\"")).findFirst().orElseThrow();
            assertTrue(line.contains("\"sni\":\"other.example.test\""), line);
            assertTrue(line.contains("\"tls_refusal\":\"no-route\""), line);

            Sluicectl ctl = new Sluicectl().env("SLUICE_ADMIN", "127.0.0.1:" + admin);
            Sluicectl.Result r = ctl.run("explain", "--client", "127.0.0.1", "--sni", "other.example.test");
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.out().contains("refused   no route for SNI other.example.test and no default pool"), r.toString());
            assertTrue(!r.out().contains("no eligible backend"), r.toString());

            Sluicectl.Result json = ctl.run("explain", "--client", "127.0.0.1", "--sni", "other.example.test", "-o", "json");
            assertEquals(1, json.exitCode(), json.toString());
            assertTrue(json.json().path("refused").asText().startsWith("no route for SNI other.example.test"), json.toString());

            Sluicectl.Result routed = ctl.run("explain", "--client", "127.0.0.1", "--sni", "chat.example.test");
            assertEquals(0, routed.exitCode(), routed.toString());
            assertTrue(routed.out().contains("exact chat.example.test"), routed.toString());
        }
    }
}
