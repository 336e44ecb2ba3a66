package io.sluice.health;

import static io.sluice.health.HealthTests.backend;
import static io.sluice.health.HealthTests.fast;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.sluice.backend.Backend;
import io.sluice.config.HealthCheckType;
import io.sluice.config.PassiveConfig;
import io.sluice.health.RecordingListener.Event;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PassiveHealthTest {

    private static final Duration HOUR = Duration.ofHours(1);
    private static EventLoopGroup group;

    @BeforeAll
    static void startLoop() {
        group = HealthTests.newGroup();
    }

    @AfterAll
    static void stopLoop() {
        HealthTests.shutdown(group);
    }

    @Test
    void consecutiveFailuresEjectOnceAndOnlyRiseGoodChecksAfterTheEjectionBringItBack() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        RecordingListener listener = new RecordingListener(clock::get);
        try (RawServer server = RawServer.start(RawServer.Mode.CLOSE);
             HealthChecker checker = new HealthChecker("web", fast(HealthCheckType.TCP, 2, 3), new PassiveConfig(3, HOUR),
                     HealthTests.TRANSPORT, group, listener, clock::get)) {
            Backend a = backend("a", server.address());
            checker.update(List.of(a));
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.count("a", "ok") >= 1);

            // a success in between resets the run
            checker.connectFailed(a);
            checker.connectFailed(a);
            checker.connectSucceeded(a);
            checker.connectFailed(a);
            checker.connectFailed(a);
            long seen = listener.count("a", "ok");
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.count("a", "ok") >= seen + 2);
            assertTrue(listener.transitions("a").isEmpty(), listener.transitions("a").toString());
            assertTrue(checker.isUp("a"));

            // the third in a row: DOWN, once, however many more follow
            checker.connectFailed(a);
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.FALSE.equals(listener.lastUp("a")));
            for (int i = 0; i < 10; i++) {
                checker.connectFailed(a);
            }
            assertEquals("3 connect failures from traffic", listener.transitions("a").get(0).text());

            // ejected: good active checks do not bring it back
            long okBefore = listener.count("a", "ok");
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.count("a", "ok") >= okBefore + 4);
            assertFalse(checker.isUp("a"));
            assertEquals(1, listener.transitions("a").size(), listener.transitions("a").toString());

            // after the ejection, rise good checks do
            long ejectionOver = clock.addAndGet(HOUR.toNanos());
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.TRUE.equals(listener.lastUp("a")));
            assertTrue(checker.isUp("a"));
            List<Event> transitions = listener.transitions("a");
            assertEquals(2, transitions.size(), transitions.toString());
            assertEquals("2 good checks", transitions.get(1).text());
            List<Event> events = listener.events("a");
            long goodAfterEjection = events.subList(0, events.indexOf(transitions.get(1))).stream()
                    .filter(e -> e.isCheck() && e.clock() >= ejectionOver && e.text().equals("ok"))
                    .count();
            // 2, or 3 if the clock moved between a check's verdict and its report
            assertTrue(goodAfterEjection >= 2 && goodAfterEjection <= 3, "good checks after the ejection: " + goodAfterEjection);
        }
    }

    @Test
    void withoutActiveChecksTheEndOfTheEjectionBringsItBack() {
        RecordingListener listener = new RecordingListener();
        try (HealthChecker checker = HealthTests.checker(fast(HealthCheckType.NONE, 2, 3),
                new PassiveConfig(2, Duration.ofMillis(300)), group, listener)) {
            Backend a = backend("a", new InetSocketAddress("127.0.0.1", 9));
            checker.update(List.of(a));
            checker.connectFailed(a);
            checker.connectFailed(a);
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.transitions("a").size() == 2);
            List<Event> transitions = listener.transitions("a");
            assertFalse(transitions.get(0).up());
            assertEquals("2 connect failures from traffic", transitions.get(0).text());
            assertTrue(transitions.get(1).up());
            assertEquals("ejection of 300ms ended", transitions.get(1).text());
            assertTrue(checker.isUp("a"));
            assertTrue(listener.results("a").isEmpty(), "type none runs no checks");
        }
    }

    @Test
    void passiveOffIgnoresTrafficFailures() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (RawServer server = RawServer.start(RawServer.Mode.CLOSE);
             HealthChecker checker = HealthTests.checker(fast(HealthCheckType.TCP, 1, 1), HealthTests.NO_PASSIVE, group, listener)) {
            Backend a = backend("a", server.address());
            checker.update(List.of(a));
            for (int i = 0; i < 100; i++) {
                checker.connectFailed(a);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.count("a", "ok") >= 2);
            assertTrue(listener.transitions("a").isEmpty());
            assertTrue(checker.isUp("a"));
        }
    }
}
