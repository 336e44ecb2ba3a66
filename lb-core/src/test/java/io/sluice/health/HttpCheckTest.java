package io.sluice.health;

import static io.sluice.health.HealthTests.backend;
import static io.sluice.health.HealthTests.checker;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.netty.channel.EventLoopGroup;
import io.sluice.config.HealthCheckType;
import io.sluice.config.HealthConfig;
import io.sluice.config.HttpCheckConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpCheckTest {

    private static EventLoopGroup group;
    private HttpServer server;
    /** "METHOD path host connection" of every request the server saw. */
    private final Set<String> requests = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startLoop() {
        group = HealthTests.newGroup();
    }

    @AfterAll
    static void stopLoop() {
        HealthTests.shutdown(group);
    }

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        for (int status : new int[] {200, 302, 404, 503}) {
            server.createContext("/status/" + status, exchange -> {
                requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                        + exchange.getRequestHeaders().getFirst("Host") + " "
                        + exchange.getRequestHeaders().getFirst("Connection"));
                exchange.getRequestBody().readAllBytes();
                if (status == 302) {
                    exchange.getResponseHeaders().add("Location", "/elsewhere");
                }
                byte[] body = ("status " + status + "\n").getBytes();
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
        }
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getAddress().getPort());
    }

    private static HealthConfig http(String path, String host) {
        return new HealthConfig(HealthCheckType.HTTP, HealthTests.FAST, HealthTests.FAST, 2, 2,
                new HttpCheckConfig(path, 200, 399, host), false);
    }

    @Test
    void statusInTheExpectedRangeIsUpOthersGoDown() {
        RecordingListener listener = new RecordingListener();
        List<HealthChecker> checkers = List.of(200, 302, 404, 503).stream()
                .map(status -> {
                    HealthChecker c = new HealthChecker("p" + status, http("/status/" + status, null),
                            HealthTests.NO_PASSIVE, HealthTests.TRANSPORT, group, listener, System::nanoTime);
                    c.update(List.of(backend("s" + status, address())));
                    return c;
                })
                .toList();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.FALSE.equals(listener.lastUp("s404"))
                    && Boolean.FALSE.equals(listener.lastUp("s503"))
                    && listener.count("s200", "ok") >= 3 && listener.count("s302", "ok") >= 3);
            assertTrue(checkers.get(0).isUp("s200"));
            assertTrue(checkers.get(1).isUp("s302"));
            assertFalse(checkers.get(2).isUp("s404"));
            assertFalse(checkers.get(3).isUp("s503"));
            assertTrue(listener.transitions("s200").isEmpty());
            assertTrue(listener.transitions("s302").isEmpty());
            assertEquals("2 failed checks (last: http 404)", listener.transitions("s404").get(0).text());
            assertEquals("2 failed checks (last: http 503)", listener.transitions("s503").get(0).text());
            assertEquals(1, listener.transitions("s503").size());
            assertTrue(listener.results("s503").stream().allMatch("http 503"::equals), listener.results("s503").toString());
            // Host defaults to the backend's ip:port; the connection is not kept
            String host = "127.0.0.1:" + server.getAddress().getPort();
            assertTrue(requests.contains("GET /status/200 " + host + " close"), requests.toString());
        } finally {
            checkers.forEach(HealthChecker::close);
        }
    }

    @Test
    void configuredHostAndPathAreSent() {
        RecordingListener listener = new RecordingListener();
        try (HealthChecker checker = checker(http("/status/200?deep=1", "health.example"), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.count("a", "ok") >= 2);
            assertEquals(Set.of("GET /status/200?deep=1 health.example close"), requests);
        }
    }

    @Test
    void unknownPathIsDown() {
        RecordingListener listener = new RecordingListener();
        try (HealthChecker checker = checker(http("/nothing-here", null), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.FALSE.equals(listener.lastUp("a")));
            assertEquals("2 failed checks (last: http 404)", listener.transitions("a").get(0).text());
        }
    }

    @Test
    void serverThatNeverAnswersTimesOutAndGoesDown() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (RawServer silent = RawServer.start(RawServer.Mode.SILENT);
             HealthChecker checker = checker(http("/healthz", null), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", silent.address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.FALSE.equals(listener.lastUp("a")));
            assertEquals("2 failed checks (last: timeout)", listener.transitions("a").get(0).text());
            assertTrue(listener.results("a").stream().allMatch("timeout"::equals), listener.results("a").toString());
            // timed-out checks close their connections
            checker.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> silent.openConnections() == 0);
        }
    }

    @Test
    void serverThatSpeaksGarbageIsDown() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (RawServer garbage = RawServer.start(RawServer.Mode.GARBAGE);
             HealthChecker checker = checker(http("/healthz", null), HealthTests.NO_PASSIVE, group, listener)) {
            checker.update(List.of(backend("a", garbage.address())));
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.FALSE.equals(listener.lastUp("a")));
            assertEquals("2 failed checks (last: http: bad status line)", listener.transitions("a").get(0).text());
        }
    }
}
