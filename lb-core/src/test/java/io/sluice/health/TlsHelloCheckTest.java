package io.sluice.health;

import static io.sluice.health.HealthTests.backend;
import static io.sluice.health.HealthTests.checker;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.sluice.config.HealthCheckType;
import io.sluice.config.HealthConfig;
import io.sluice.config.HttpCheckConfig;
import io.sluice.harness.TlsBackend;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TlsHelloCheckTest {

    private static EventLoopGroup group;

    @BeforeAll
    static void startLoop() {
        group = HealthTests.newGroup();
    }

    @AfterAll
    static void stopLoop() {
        HealthTests.shutdown(group);
    }

    /** Handshakes on a cold JVM can take longer than 100 ms: a roomier timeout (and fall 5 in the good case) keeps the good case good. */
    private static HealthConfig tls(boolean verify, int fall) {
        return new HealthConfig(HealthCheckType.TLS_HELLO, Duration.ofMillis(300), Duration.ofMillis(300), 1, fall,
                HttpCheckConfig.DEFAULTS, verify);
    }

    @Test
    void completedHandshakeIsUp() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (TlsBackend server = TlsBackend.start("tls-a.example");
             HealthChecker checker = checker(tls(false, 5), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", server.address())));
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.count("a", "ok") >= 3);
            assertTrue(checker.isUp("a"));
            assertTrue(listener.transitions("a").isEmpty(), listener.events("a").toString());
        }
    }

    @Test
    void serverThatClosesOnConnectIsDown() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (RawServer server = RawServer.start(RawServer.Mode.CLOSE);
             HealthChecker checker = checker(tls(false, 2), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", server.address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.FALSE.equals(listener.lastUp("a")));
            assertFalse(checker.isUp("a"));
            String cause = listener.transitions("a").get(0).text();
            assertTrue(cause.equals("2 failed checks (last: tls: closed)") || cause.equals("2 failed checks (last: reset)"), cause);
        }
    }

    @Test
    void serverThatSpeaksGarbageIsDown() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (RawServer server = RawServer.start(RawServer.Mode.GARBAGE);
             HealthChecker checker = checker(tls(false, 2), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", server.address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.FALSE.equals(listener.lastUp("a")));
            assertEquals("2 failed checks (last: tls: not tls)", listener.transitions("a").get(0).text());
            checker.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 0);
        }
    }

    @Test
    void selfSignedCertificateFailsVerification() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (TlsBackend server = TlsBackend.start("tls-b.example");
             HealthChecker checker = checker(tls(true, 2), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", server.address())));
            await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.FALSE.equals(listener.lastUp("a")));
            assertEquals("2 failed checks (last: tls: untrusted certificate)", listener.transitions("a").get(0).text());
        }
    }
}
