package io.sluice.handover;

import static io.sluice.handover.Handovers.awaitLast;
import static io.sluice.handover.Handovers.awaitUp;
import static io.sluice.handover.Handovers.handover;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.handover.HandoverWire.Answer;
import io.sluice.handover.HandoverWire.Frame;
import io.sluice.harness.Clients;
import io.sluice.harness.DaemonProcess;
import io.sluice.harness.Ports;
import io.sluice.harness.TestBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handover socket facing someone who is not a Sluice taking over: it is the owner's only
 * (mode 0600), and whatever a stranger sends (garbage, a frame that is not HELLO, a HELLO of another
 * version or protocol, an absurd length, nothing at all) is refused and closed within a few seconds,
 * without disturbing the daemon: it still proxies, its handover state stays idle, and a real
 * takeover afterwards works.
 */
class HandoverSocketStrangerTest {

    /** The contract's 5 s for a HELLO to arrive, and a margin for a loaded machine. */
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void strangersAreRefusedAndTheDaemonCarriesOn() throws Exception {
        try (TestBackend backend = TestBackend.namedEcho("app-1")) {
            int port = Ports.freePort();
            int adminA = Ports.freePort();
            int adminB = Ports.freePort();
            Path socket = dir.resolve("handover.sock");
            Path configA = Handovers.tcpConfig(dir, "a.yaml", port, backend.address(), adminA, socket);
            Path configB = Handovers.tcpConfig(dir, "b.yaml", port, backend.address(), adminB, dir.resolve("b.sock"));
            InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);

            try (DaemonProcess a = DaemonProcess.launch().adminPort(adminA).start(dir, "run", "--config", configA.toString())) {
                JsonNode status = awaitUp(a);
                assertEquals(socket.toString(), status.path("handover").path("socket").asText(), status.toString());
                assertEquals("idle", status.path("handover").path("state").asText(), status.toString());
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
                assertEquals("rw-------", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)), "only the owner may connect");

                // (i) garbage: "GET " read as a length is far over 4 KiB.
                closedPerhapsAfterRefused("an HTTP request",
                        "GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), socket);
                byte[] noise = new byte[300];
                new Random(7).nextBytes(noise);
                closedPerhapsAfterRefused("random bytes", noise, socket);
                // (i') a well-formed frame that is not HELLO, first.
                closedPerhapsAfterRefused("a WELCOME as first frame",
                        HandoverWire.frame(HandoverWire.WELCOME, "{}".getBytes(StandardCharsets.UTF_8)), socket);
                closedPerhapsAfterRefused("a HELLO whose body is not JSON",
                        HandoverWire.frame(HandoverWire.HELLO, "hello?".getBytes(StandardCharsets.UTF_8)), socket);

                // (ii) another version: REFUSED naming the versions it speaks.
                JsonNode v99 = refused("version 99", HandoverWire.hello("sluice-handover", 99, ProcessHandle.current().pid()), socket);
                assertTrue(v99.path("error").asText().matches("(?s).*\\b1\\b.*"),
                        "the error names the version it speaks (1): " + v99);

                // (iii) another protocol.
                refused("protocol 'other'", HandoverWire.hello("other-handover", 1, ProcessHandle.current().pid()), socket);

                // (iv) a length of 2^31-1 (and a type byte, and a little of the "body").
                byte[] huge = ByteBuffer.allocate(64).putInt(Integer.MAX_VALUE).put((byte) HandoverWire.HELLO)
                        .put("{\"protocol\":\"sluice-handover\"".getBytes(StandardCharsets.UTF_8)).array();
                closedPerhapsAfterRefused("length 2^31-1", huge, socket);

                // A HELLO over 4 KiB, otherwise valid.
                String pad = "x".repeat(5000);
                byte[] big = HandoverWire.frame(HandoverWire.HELLO, ("{\"protocol\":\"sluice-handover\",\"version\":1,\"pid\":"
                        + ProcessHandle.current().pid() + ",\"pad\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8));
                closedPerhapsAfterRefused("a 5 KB HELLO", big, socket);

                // (v) nothing at all.
                closedPerhapsAfterRefused("silence", new byte[0], socket);

                // The daemon carries on: proxies, is idle, and hands over for real.
                assertTrue(a.isAlive(), a.output());
                assertEquals("app-1", Clients.backendNameVia(proxy));
                assertEquals("idle", handover(a).path("state").asText());
                assertTrue(handover(a).path("last").isMissingNode() || handover(a).path("last").isNull(),
                        "a refused stranger is no handover: " + handover(a));
                String metrics = a.adminText("/metrics");
                for (String reason : new String[] {"version", "greeting", "invalid", "timeout"}) {
                    assertTrue(metrics.matches("(?s).*\\nsluice_handover_peers_refused_total\\{[^}]*reason=\"" + reason
                            + "\"[^}]*\\} [1-9].*"), "refusals counted by reason (" + reason + "):\n" + metrics);
                }
                Socket held = Clients.connect(proxy);
                assertEquals("app-1", Clients.readLine(held));
                await().atMost(Duration.ofSeconds(10)).until(() -> Handovers.activeConnections(a) == 1);

                try (DaemonProcess b = DaemonProcess.launch().adminPort(adminB)
                        .start(dir, "run", "--config", configB.toString(), "--takeover", socket.toString())) {
                    Handovers.awaitHandedOver(a, b, Duration.ofSeconds(60));
                    awaitUp(b);
                    JsonNode last = awaitLast(b, "done", Duration.ofSeconds(30));
                    assertEquals(1, last.path("connections").asInt(-1), last.toString());
                    held.getOutputStream().write("through B\n".getBytes(StandardCharsets.UTF_8));
                    assertEquals("through B", Clients.readLine(held));
                    held.close();
                    assertEquals("app-1", Clients.backendNameVia(proxy));
                    b.terminate();
                    assertEquals(0, b.awaitExit(Duration.ofSeconds(60)), b.output());
                } finally {
                    held.close();
                }
            }
        }
    }

    /** Sends {@code bytes}; the daemon must close within {@link #CLOSE_WITHIN}, sending nothing or one REFUSED. */
    private static void closedPerhapsAfterRefused(String what, byte[] bytes, Path socket) throws Exception {
        Answer answer = HandoverWire.exchange(socket, bytes, CLOSE_WITHIN);
        assertTrue(answer.closed(), what + ": the daemon closes the connection: " + answer);
        List<Frame> frames = answer.frames();
        assertTrue(frames.isEmpty() || (frames.size() == 1 && frames.get(0).type() == HandoverWire.REFUSED
                        && frames.get(0).json().hasNonNull("error")),
                what + ": nothing or one REFUSED {\"error\"}: " + frames);
    }

    /** Sends {@code bytes}; the daemon must answer exactly one REFUSED and close. Its JSON body. */
    private static JsonNode refused(String what, byte[] bytes, Path socket) throws Exception {
        Answer answer = HandoverWire.exchange(socket, bytes, CLOSE_WITHIN);
        assertTrue(answer.closed(), what + ": the daemon closes the connection: " + answer);
        List<Frame> frames = answer.frames();
        assertEquals(1, frames.size(), what + ": one frame: " + answer);
        assertEquals(HandoverWire.REFUSED, frames.get(0).type(), what + ": " + frames);
        JsonNode body = frames.get(0).json();
        assertTrue(body.path("error").isTextual() && !body.path("error").asText().isBlank(), what + ": " + body);
        return body;
    }
}
