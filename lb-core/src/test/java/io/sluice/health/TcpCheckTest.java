package io.sluice.health;

import static io.sluice.health.HealthTests.backend;
import static io.sluice.health.HealthTests.checker;
import static io.sluice.health.HealthTests.fast;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.sluice.config.HealthCheckType;
import io.sluice.health.RecordingListener.Event;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TcpCheckTest {

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
    void backendThatStopsListeningGoesDownAfterFallAndComesBackAfterRise() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (RawServer server = RawServer.start(RawServer.Mode.CLOSE);
             HealthChecker checker = checker(fast(HealthCheckType.TCP, 2, 3), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", server.address())));
            assertTrue(checker.isUp("a"), "backends start UP");
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.count("a", "ok") >= 2);
            assertTrue(listener.transitions("a").isEmpty(), "no transition while healthy");

            server.stopListening();
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.FALSE.equals(listener.lastUp("a")));
            assertFalse(checker.isUp("a"));
            Event down = listener.transitions("a").get(0);
            assertEquals("3 failed checks (last: refused)", down.text());
            assertEquals(3, failuresRightBefore(listener.events("a"), down), "DOWN after exactly fall failed checks");

            server.listenAgain();
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.TRUE.equals(listener.lastUp("a")));
            assertTrue(checker.isUp("a"));
            List<Event> transitions = listener.transitions("a");
            assertEquals(2, transitions.size(), "each transition reported once: " + transitions);
            assertEquals("2 good checks", transitions.get(1).text());
            assertEquals(2, okRightBefore(listener.events("a"), transitions.get(1)), "UP after exactly rise good checks");
        }
    }

    @Test
    void backendThatAcceptsButNeverAnswersIsUpForTcp() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (RawServer server = RawServer.start(RawServer.Mode.SILENT);
             HealthChecker checker = checker(fast(HealthCheckType.TCP, 1, 1), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", server.address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.count("a", "ok") >= 3);
            assertTrue(listener.transitions("a").isEmpty());
            assertEquals(List.of(), listener.results("a").stream().filter(r -> !r.equals("ok")).toList());
            assertTrue(checker.isUp("a"));
            // each check closed its connection right after the connect
            await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() <= 1);
        }
    }

    @Test
    void unknownBackendsAreReportedUp() {
        try (HealthChecker checker = checker(fast(HealthCheckType.TCP, 1, 1), HealthTests.NO_PASSIVE, group, new RecordingListener())) {
            assertTrue(checker.isUp("nobody"));
        }
    }

    /** Failed checks in a row right before {@code transition}. */
    static int failuresRightBefore(List<Event> events, Event transition) {
        return runBefore(events, transition, false);
    }

    static int okRightBefore(List<Event> events, Event transition) {
        return runBefore(events, transition, true);
    }

    private static int runBefore(List<Event> events, Event transition, boolean ok) {
        int n = 0;
        for (int i = events.indexOf(transition) - 1; i >= 0; i--) {
            Event e = events.get(i);
            if (e.transition() || e.text().equals("ok") != ok) {
                break;
            }
            n++;
        }
        return n;
    }
}
