package io.sluice.direct;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.adminapi.AdminJson;
import io.sluice.adminapi.DirectExplainView;
import io.sluice.adminapi.DirectView;
import io.sluice.adminapi.PoolView;
import io.sluice.adminapi.StatusView;
import io.sluice.harness.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating direct listeners, for real, in a {@link Lab}: {@code explain} of a flow against the backend
 * that actually answers it, the admin API's views of the kernel's table and counters, comparing two
 * nodes' tables, and an upgrade (handover to a new process) while flows run. Each test prints its numbers.
 * Skipped, with the reason printed, where the machine cannot build the lab.
 *
 * <p>The tests run in order on one lab; each node has its own config file (so its own local state file).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectOperationsLabTest {

    private static final String TOKEN = "lab-token";
    private static final String ADMIN = "http://" + Lab.ADMIN;
    private static final ObjectMapper JSON = AdminJson.mapper();

    @TempDir
    static Path dir;

    private static Lab lab;
    private static Lab.Client client;

    @BeforeAll
    static void buildLab() throws Exception {
        lab = Lab.open("direct-ops", dir);
        Path token = Files.writeString(dir.resolve("admin.token"), TOKEN);
        for (String node : List.of("b1", "b2")) {
            DaemonProcess.writeConfig(dir, node + ".yaml",
                    Lab.config("sluice_ops", Lab.admin(token) + "handover:\n  socket: " + node + ".sock\n"));
        }
        startNode("b1", false);
        client = lab.startClient();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private static DaemonProcess startNode(String node, boolean takeover) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--config", dir.resolve(node + ".yaml").toString()));
        if (takeover) {
            args.addAll(List.of("--takeover", dir.resolve(node + ".sock").toString()));
        }
        return lab.startDaemon(node, takeover ? "Sluice started by takeover" : "Sluice started", args.toArray(String[]::new));
    }

    /** GETs from inside {@code node}'s namespace (one JVM for all); each answer as {@code STATUS BODY}. */
    private static List<String> answers(String node, List<String> paths) throws Exception {
        List<String> args = new ArrayList<>(List.of("get", ADMIN));
        args.addAll(paths);
        List<String> lines = lab.runNode(node, args.toArray(String[]::new)).lines().toList();
        assertEquals(paths.size(), lines.size(), () -> String.join("\n", lines));
        return lines;
    }

    /** GETs from inside {@code node}'s namespace (one JVM for all); each answer's body, every status asserted 200. */
    private static List<String> get(String node, List<String> paths) throws Exception {
        List<String> lines = answers(node, paths);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String path = paths.get(i);
            assertTrue(line.startsWith("200 "), () -> path + ": " + line);
            bodies.add(line.substring(4));
        }
        return bodies;
    }

    private static <T> T get(String node, String path, Class<T> type) throws Exception {
        return JSON.readValue(get(node, List.of(path)).get(0), type);
    }

    private static String explainPath(String listener, int clientPort) {
        return "/api/v1/direct/explain?listener=" + listener + "&client=" + Lab.CLIENT + "&client_port=" + clientPort;
    }

    private static Map<String, Integer> count(Map<Integer, String> flows) {
        Map<String, Integer> counts = new TreeMap<>();
        flows.values().forEach(b -> counts.merge(b, 1, Integer::sum));
        return counts;
    }

    @Test
    @Order(1)
    void explainNamesTheBackendThatAnswersEachFlow() throws Exception {
        int n = 120;
        int first = 31000;
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            paths.add(explainPath("web", first + i));
        }
        // New flows: no entry in the kernel's flow map, the Maglev slot decides.
        List<DirectExplainView> before = new ArrayList<>();
        for (String body : get("b1", paths)) {
            before.add(JSON.readValue(body, DirectExplainView.class));
        }
        Map<Integer, String> answered = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 " + n + " " + first, 120), "connected");
        // Established flows: the kernel's flow map pins each, to the same backend.
        List<DirectExplainView> after = new ArrayList<>();
        for (String body : get("b1", paths)) {
            after.add(JSON.readValue(body, DirectExplainView.class));
        }
        client.ask("close", 30);
        int predictedRight = 0;
        int pinnedRight = 0;
        for (int i = 0; i < n; i++) {
            DirectExplainView b = before.get(i);
            DirectExplainView a = after.get(i);
            String actual = answered.get(first + i);
            assertEquals("maglev", b.decidedBy(), b.why());
            assertNull(b.flowEntry(), "a new flow has no entry yet: " + b);
            assertEquals(b.slotBackend(), b.backend());
            assertEquals("flow-map", a.decidedBy(), a.why());
            assertNotNull(a.flowEntry());
            assertTrue(a.flowEntry().live() && a.flowEntry().expiresInMillis() > 0, a.toString());
            assertEquals(b.slot(), a.slot(), "the slot is a function of the flow");
            predictedRight += actual.equals(b.backend()) ? 1 : 0;
            pinnedRight += actual.equals(a.backend()) && actual.equals(a.flowEntry().backend()) ? 1 : 0;
        }
        DirectExplainView sample = after.get(0);
        System.out.println("[direct-ops] explain of " + n + " TCP flows through b1 " + count(answered) + ": before connecting, "
                + predictedRight + " of " + n + " predicted the backend that answered (decided by maglev);"
                + " once established, " + pinnedRight + " of " + n + " named it from the kernel's flow map. Sample: slot "
                + sample.slot() + "/" + sample.tableSize() + ", generation " + sample.maglevGeneration() + ", fingerprint "
                + sample.maglevFingerprint() + ", " + sample.backend() + " -- " + sample.why());
        assertEquals(n, predictedRight);
        assertEquals(n, pinnedRight);
        assertEquals(3, count(answered).size(), "the flows reached every backend: " + count(answered));

        // UDP: the echo listener, picked by protocol and port instead of its name.
        List<String> udpPaths = new ArrayList<>();
        Map<Integer, String> udp = Lab.flows(client.ask("udp " + Lab.VIP + " 9000 30", 60), "udp");
        for (int port : udp.keySet()) {
            udpPaths.add("/api/v1/direct/explain?protocol=udp&port=9000&client=" + Lab.CLIENT + "&client_port=" + port);
        }
        List<String> udpBodies = get("b1", udpPaths);
        int udpRight = 0;
        int i = 0;
        for (Map.Entry<Integer, String> f : udp.entrySet()) {
            DirectExplainView e = JSON.readValue(udpBodies.get(i++), DirectExplainView.class);
            assertEquals("echo", e.listener());
            assertEquals("flow-map", e.decidedBy(), "each datagram's flow is in the map (idle timeout 30 s): " + e);
            udpRight += f.getValue().equals(e.backend()) ? 1 : 0;
        }
        System.out.println("[direct-ops] explain of " + udp.size() + " UDP flows " + count(udp) + ": " + udpRight
                + " named the backend that answered");
        assertEquals(udp.size(), udpRight);
    }

    @Test
    @Order(2)
    void statusAndPoolViewsShowTheKernelTableAndItsCounters() throws Exception {
        Map<Integer, String> open = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 40 32000", 60), "connected");
        client.ask("ping", 30);
        Map<String, Integer> perBackend = count(open);
        // The counters are read from the kernel every 2 s: wait for this traffic to be in them.
        DirectView[] last = new DirectView[1];
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = get("b1", "/api/v1/direct", DirectView.class);
            DirectView.Listener web = last[0].listeners().get(0);
            return web.flows() != null && web.flows() >= open.size()
                    && web.backends().stream().allMatch(b -> b.packets() >= 3L * perBackend.getOrDefault(b.name(), 0));
        });
        DirectView direct = last[0];
        StatusView status = get("b1", "/api/v1/status", StatusView.class);
        PoolView pool = get("b1", "/api/v1/pools/web", PoolView.class);
        client.ask("close", 30);

        assertEquals("sluice_ops", direct.table());
        assertEquals(List.of("web", "echo"), direct.listeners().stream().map(DirectView.Listener::name).toList());
        DirectView.Listener web = direct.listeners().get(0);
        assertEquals("direct", web.mode());
        assertEquals(pool.maglevFingerprint(), web.fingerprint(), "the kernel holds the pool's Maglev table");
        assertEquals(251, web.tableSize());
        assertEquals(251, web.backends().stream().mapToInt(DirectView.Backend::slots).sum());
        for (DirectView.Backend b : web.backends()) {
            assertTrue(b.live(), b.toString());
            assertTrue(b.packets() >= 3L * perBackend.getOrDefault(b.name(), 0), "SYN, ACK, ping per flow: " + b);
            assertTrue(b.bytes() >= 40L * b.packets(), "an IPv4 packet is at least 40 bytes: " + b);
        }
        assertNotNull(status.direct(), "the status carries the direct view");
        assertEquals(web.fingerprint(), status.direct().listeners().get(0).fingerprint());
        assertTrue(status.listeners().stream().anyMatch(l -> l.name().equals("web") && l.mode().equals("direct")
                && l.bind().equals("203.0.113.10:8080/tcp")), status.listeners().toString());
        assertEquals(List.of("web", "echo"), pool.direct().stream().map(DirectView.Listener::name).toList());
        System.out.println("[direct-ops] b1 /api/v1/direct: table " + direct.table() + ", " + direct.transactions()
                + " transactions; web generation " + web.generation() + " fingerprint " + web.fingerprint() + ", flows "
                + web.flows() + "; per backend (flows opened / packets / bytes): " + web.backends().stream()
                .map(b -> b.name() + " " + perBackend.getOrDefault(b.name(), 0) + "/" + b.packets() + "/" + b.bytes()).toList());
    }

    @Test
    @Order(3)
    void nodesCompareByTheirTableFingerprints() throws Exception {
        startNode("b2", false);
        Map<String, String> b1 = fingerprints("b1");
        Map<String, String> b2 = fingerprints("b2");
        assertEquals(b1, b2, "two nodes with the same config and health build the same table");

        // An operator's weight change on b2 alone (local state store): the nodes disagree, and the status says so.
        lab.runNode("b2", "http", "POST", ADMIN + "/api/v1/pools/web/backends/k1/weight", TOKEN, "{\"weight\":300}");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> !fingerprints("b2").equals(b1));
        Map<String, String> diverged = fingerprints("b2");
        lab.runNode("b2", "http", "POST", ADMIN + "/api/v1/pools/web/backends/k1/weight", TOKEN, "{\"weight\":100}");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> fingerprints("b2").equals(b1));
        System.out.println("[direct-ops] fleet: b1 " + b1 + ", b2 " + b2 + "; after a weight change on b2 alone b2 "
                + diverged + "; after putting it back, equal again");
        assertNotEquals(b1, diverged);
        lab.takeDaemon("b2").close();
    }

    private static Map<String, String> fingerprints(String node) throws Exception {
        Map<String, String> out = new TreeMap<>();
        StatusView s = get(node, "/api/v1/status", StatusView.class);
        s.direct().listeners().forEach(l -> out.put(l.name(), l.generation() >= 0 ? l.fingerprint() : null));
        return out;
    }

    @Test
    @Order(4)
    void anUpgradeLosesNoPacketOfEstablishedFlows() throws Exception {
        Map<Integer, String> before = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 60 33000", 60), "connected");
        assertFalse(before.containsValue("failed"));
        Lab.Client streamer = new Lab.Client(lab.node("c", dir.resolve("streamer.log"), "client"));
        assertEquals("ready", streamer.awaitReady(30));
        String stream = "udpstream " + Lab.VIP + " 9000 2000 4"; // 8 s of one UDP flow, across the upgrade
        streamer.send(stream);
        DaemonProcess old = lab.takeDaemon("b1");
        long oldPid = old.pid();
        DaemonProcess next = startNode("b1", true);
        assertEquals(0, old.awaitExit(Duration.ofSeconds(60)), old.output());
        Map<Integer, String> after = Lab.flows(client.ask("ping", 60), "pong");
        Map<Integer, String> fresh = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 20 33100", 60), "connected");
        String streamed = streamer.answer(stream, 60);
        streamer.close();
        StatusView status = get("b1", "/api/v1/status", StatusView.class);
        System.out.println("[direct-ops] upgrade of b1 (pid " + oldPid + " -> " + status.pid() + "): " + before.size()
                + " established TCP flows kept their backend " + count(after) + "; 20 new after it " + count(fresh)
                + "; one UDP flow across it: " + streamed);
        assertEquals(before, after, "every established flow answered by its backend after the upgrade");
        assertFalse(fresh.containsValue("failed"));
        assertEquals(next.pid(), status.pid(), "the new process answers the admin API");
        assertTrue(streamed.matches("stream \\d+ sent 2000 answered 2000 by k[123]"), "no datagram lost: " + streamed);
        client.ask("close", 30);
    }

    @Test
    @Order(5)
    void aBadExplainGetsOneClearProblem() throws Exception {
        String base = "/api/v1/direct/explain?client=" + Lab.CLIENT;
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(base + "&client_port=1&listener=nope", "404 no direct listener 'nope' (direct listeners: web, echo)");
        cases.put(base + "&client_port=1", "400 several direct listeners match (web, echo): give listener, or protocol and port");
        cases.put(base + "&listener=web", "400 client_port is required: listener 'web' hashes the 5-tuple");
        cases.put(base + "&client_port=1&listener=web&port=9000", "400 port 9000 is not a port of direct listener 'web' (its ports: [8080])");
        cases.put(base + "&client_port=1&protocol=sctp", "400 bad 'protocol': 'sctp' (expected tcp or udp)");
        cases.put("/api/v1/direct/explain?client=2001:db8::1&client_port=1&listener=web", "400 client 2001:db8:0:0:0:0:0:1: direct listeners are IPv4 only");
        List<String> answers = answers("b1", new ArrayList<>(cases.keySet()));
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String answer = answers.get(i++);
            String status = c.getValue().substring(0, 3);
            String detail = c.getValue().substring(4);
            assertTrue(answer.startsWith(status + " "), c.getKey() + ": " + answer);
            String got = JSON.readTree(answer.substring(4)).path("detail").asText();
            assertTrue(got.startsWith(detail), c.getKey() + ": " + got);
        }
        System.out.println("[direct-ops] " + cases.size() + " bad explain requests, each one problem document: "
                + String.join(" | ", cases.values()));
    }
}
