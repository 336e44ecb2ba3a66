package io.sluice.limit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.harness.Clients;
import io.sluice.harness.EachRelay;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** limits.max-connections and limits.max-connections-per-source through the daemon. */
class ConnectionLimitTest extends EachRelay {

    private static String greetingOrNull(Socket s) throws IOException {
        try {
            return Clients.readLine(s);
        } catch (SocketTimeoutException hang) {
            throw new AssertionError("the daemon neither relayed nor closed the connection", hang);
        } catch (SocketException reset) {
            return null;
        }
    }

    private static Socket open(RunningDaemon daemon, InetAddress source, List<Socket> held) throws IOException {
        Socket s = Clients.connect(daemon.address(), source);
        held.add(s);
        return s;
    }

    private static void assertEchoes(Socket s, String text) throws IOException {
        s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        assertEquals(text, Clients.readLine(s));
    }

    private static double refused(RunningDaemon daemon, String reason) {
        return daemon.count("sluice.connections.refused", "listener", "main", "reason", reason);
    }

    @Test
    void globalLimitRefusesTheSixthAndSparesTheFive() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (TestBackend backend = TestBackend.namedEcho("echo");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend).limits(5, 0))) {
            for (int i = 0; i < 5; i++) {
                assertEquals("echo", Clients.readLine(open(daemon, null, held)));
            }
            Socket sixth = open(daemon, null, held);
            assertNull(greetingOrNull(sixth), "the sixth connection must be closed at once");
            await().atMost(Duration.ofSeconds(5)).until(() -> refused(daemon, "over-limit") == 1);
            assertEquals(5, backend.accepted(), "a refused client must not reach a backend");

            for (int i = 0; i < 5; i++) {
                assertEchoes(held.get(i), "still alive " + i);
            }

            held.get(0).close();
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 4);
            Socket next = open(daemon, null, held);
            assertEquals("echo", Clients.readLine(next));
            assertEchoes(next, "admitted again");
            assertEquals(1, refused(daemon, "over-limit"));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void perSourceLimitRefusesOnlyThatSource() throws Exception {
        List<Socket> held = new ArrayList<>();
        InetAddress five = Clients.loopback(5);
        InetAddress six = Clients.loopback(6);
        try (TestBackend backend = TestBackend.namedEcho("echo");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend).limits(100, 2))) {
            assertEquals("echo", Clients.readLine(open(daemon, five, held)));
            assertEquals("echo", Clients.readLine(open(daemon, five, held)));
            assertNull(greetingOrNull(open(daemon, five, held)), "third from 127.0.0.5 must be refused");
            await().atMost(Duration.ofSeconds(5)).until(() -> refused(daemon, "over-source-limit") == 1);

            Socket other = open(daemon, six, held);
            assertEquals("echo", Clients.readLine(other));
            assertEchoes(other, "from six");
            assertEchoes(held.get(0), "five still works");
            assertEquals(0, refused(daemon, "over-limit"));
            assertEquals(1, refused(daemon, "over-source-limit"));

            // Closing one of 127.0.0.5's connections gives that source room again.
            held.get(1).close();
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.daemon().connections().size() == 2);
            assertEquals("echo", Clients.readLine(open(daemon, five, held)));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
