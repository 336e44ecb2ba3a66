package io.sluice.health;

import static io.sluice.health.HealthTests.backend;
import static io.sluice.health.HealthTests.checker;
import static io.sluice.health.HealthTests.fast;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.sluice.backend.Backend;
import io.sluice.config.HealthCheckType;
import io.sluice.config.HealthConfig;
import io.sluice.config.HttpCheckConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HealthCheckerLifecycleTest {

    /** No new connection for this long: the checks have stopped (they come every 100 ms ± 10%). */
    private static final long QUIET_NANOS = Duration.ofMillis(600).toNanos();
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
    void updateStartsChecksForNewNamesStopsThemForRemovedOnesAndFollowsNewAddresses() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (RawServer a = RawServer.start(RawServer.Mode.CLOSE);
             RawServer b = RawServer.start(RawServer.Mode.CLOSE);
             RawServer c = RawServer.start(RawServer.Mode.CLOSE);
             RawServer b2 = RawServer.start(RawServer.Mode.CLOSE);
             HealthChecker checker = checker(fast(HealthCheckType.TCP, 1, 1), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", a.address()), backend("b", b.address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> a.accepted() >= 2 && b.accepted() >= 2);
            assertEquals(0, c.accepted());

            // remove a, add c
            checker.update(List.of(backend("b", b.address()), backend("c", c.address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> a.nanosSinceLastAccept() > QUIET_NANOS);
            int aFinal = a.accepted();
            int bBefore = b.accepted();
            await().atMost(Duration.ofSeconds(5)).until(() -> c.accepted() >= 2 && b.accepted() >= bBefore + 2);
            assertEquals(aFinal, a.accepted(), "no checks of a removed backend");
            assertTrue(checker.isUp("a"), "a removed name is unknown, reported UP");

            // b moves to another address (a new object with the same name): checks follow it
            checker.update(List.of(backend("b", b2.address()), backend("c", c.address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> b2.accepted() >= 2 && b.nanosSinceLastAccept() > QUIET_NANOS);
            assertTrue(listener.transitions("b").isEmpty(), "same name: health kept, no transition");
        }
    }

    @Test
    void closeClosesInFlightCheckChannelsAndStopsEverything() throws Exception {
        // Checks that would hold their connection for 30 s: only close() can end them sooner.
        HealthConfig slow = new HealthConfig(HealthCheckType.HTTP, Duration.ofSeconds(30), Duration.ofSeconds(30), 1, 1,
                HttpCheckConfig.DEFAULTS, false);
        RecordingListener listener = new RecordingListener();
        try (RawServer silent = RawServer.start(RawServer.Mode.SILENT)) {
            HealthChecker checker = checker(slow, HealthTests.NO_PASSIVE, group, listener);
            // many names on one server, so some first checks (spread over one interval) start soon
            List<Backend> many = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                many.add(backend("b" + i, silent.address()));
            }
            checker.update(many);
            await().atMost(Duration.ofSeconds(10)).until(() -> silent.openConnections() >= 3);

            checker.close();
            checker.close(); // twice is fine
            await().atMost(Duration.ofSeconds(10)).until(() -> silent.openConnections() == 0);
            int accepted = silent.accepted();
            await().atMost(Duration.ofSeconds(5)).until(() -> silent.nanosSinceLastAccept() > QUIET_NANOS);
            assertEquals(accepted, silent.accepted(), "no check after close");
            assertTrue(many.stream().allMatch(b -> listener.results(b.name()).isEmpty()), "aborted checks report nothing");
        }
    }
}
