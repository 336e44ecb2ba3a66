package io.sluice.direct;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.ConfigLoader;
import io.sluice.config.DirectListenerConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.harness.DaemonProcess;
import io.sluice.pool.Pool;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * Direct routing for real: a {@link Lab} of namespaces, real {@code sluice} processes programming
 * the kernel of each balancer namespace, real TCP and UDP through the VIP. Each test prints its numbers.
 * Skipped, with the reason printed, where the machine cannot build the lab (not root, no ip or nft).
 *
 * <p>The tests run in order on one lab: node b1 serves from the start, b2 joins for ECMP.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectRoutingLabTest {

    private static final String TOKEN = "lab-token";

    @TempDir
    static Path dir;

    private static Lab lab;
    private static Lab.Client client;
    private static Path config;
    /** The same pool the daemons build, built here, to predict each flow's backend. */
    private static Pool predictor;
    private static SluiceConfig parsed;

    @BeforeAll
    static void buildLab() throws Exception {
        lab = Lab.open("direct-lab", dir);
        Path token = Files.writeString(dir.resolve("admin.token"), TOKEN);
        String yaml = Lab.config("sluice_lab", Lab.admin(token));
        config = DaemonProcess.writeConfig(dir, "sluice.yaml", yaml);
        parsed = ConfigLoader.parse(yaml, "sluice.yaml");
        predictor = new Pool(parsed.pools().get("web"), System::nanoTime);
        startNode("b1");
        client = lab.startClient();
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private static DaemonProcess startNode(String node) throws Exception {
        return lab.startDaemon(node, "Sluice started", "run", "--config", config.toString());
    }

    /** The backend the kernel should pick for a new flow from the client's {@code port}: Maglev slot of the kernel's hash. */
    private static String predicted(String listener, int port, int servicePort) throws Exception {
        DirectListenerConfig l = parsed.direct().listeners().stream().filter(x -> x.name().equals(listener)).findFirst().orElseThrow();
        int slot = FlowHash.slot(l.flowKey(), (Inet4Address) InetAddress.getByName(Lab.CLIENT), port, servicePort,
                predictor.maglevTable().size(), parsed.direct().hashSeed());
        return predictor.maglevTable().lookup(slot).name();
    }

    private static Map<String, Integer> count(Map<Integer, String> flows) {
        Map<String, Integer> counts = new TreeMap<>();
        flows.values().forEach(b -> counts.merge(b, 1, Integer::sum));
        return counts;
    }

    /** One admin API call from inside {@code node}'s namespace (its admin API listens on that namespace's loopback). */
    private static String admin(String node, String method, String path, String body) throws Exception {
        String answer = lab.runNode(node, "http", method, "http://" + Lab.ADMIN + path, TOKEN, body);
        assertTrue(answer.startsWith("200 "), () -> method + " " + path + ": " + answer);
        return answer;
    }

    @Test
    @Order(1)
    void connectionsReachEveryBackendInProportionToWeightAsPredicted() throws Exception {
        Map<Integer, String> flows = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 400 20000", 120), "connected");
        client.ask("close", 30);
        Map<String, Integer> counts = count(flows);
        System.out.println("[direct-lab] 400 connections through b1, weights k1=100 k2=200 k3=100: " + counts);
        assertFalse(counts.containsKey("failed"), counts.toString());
        int mismatches = 0;
        for (Map.Entry<Integer, String> f : flows.entrySet()) {
            if (!f.getValue().equals(predicted("web", f.getKey(), 8080))) {
                mismatches++;
            }
        }
        assertEquals(0, mismatches, "every flow lands on the backend its kernel hash and the Maglev table name");
        assertTrue(counts.get("k2") > counts.get("k1") * 1.4 && counts.get("k2") > counts.get("k3") * 1.4, counts.toString());
        assertTrue(counts.get("k1") > 60 && counts.get("k3") > 60, counts.toString());
    }

    @Test
    @Order(2)
    void udpEchoesThroughTheVip() throws Exception {
        Map<Integer, String> answers = Lab.flows(client.ask("udp " + Lab.VIP + " 9000 60", 120), "udp");
        Map<String, Integer> counts = count(answers);
        System.out.println("[direct-lab] 60 UDP flows through the VIP: " + counts);
        assertFalse(counts.containsKey("lost"), counts.toString());
        for (Map.Entry<Integer, String> a : answers.entrySet()) {
            assertEquals(predicted("echo", a.getKey(), 9000), a.getValue(), "UDP flow from port " + a.getKey());
        }
        assertEquals(3, counts.size(), "every backend answers some: " + counts);
    }

    @Test
    @Order(3)
    void repliesBypassTheBalancer() throws Exception {
        long size = 100L * 1024 * 1024;
        long balancerBefore = lab.interfaceBytes("b1");
        long clientBefore = lab.receivedBytes("c");
        String answer = client.ask("download " + Lab.VIP + " 8080 " + size, 120);
        long balancer = lab.interfaceBytes("b1") - balancerBefore;
        long received = lab.receivedBytes("c") - clientBefore;
        String[] w = answer.split(" ");
        assertEquals("downloaded", w[0], answer);
        assertEquals(size, Long.parseLong(w[1]));
        double ratio = (double) balancer / received;
        System.out.printf("[direct-lab] 100 MiB download from %s in %s ms: client received %d bytes, balancer b1's"
                + " interface carried %d bytes (%.3f%%)%n", w[3], w[2], received, balancer, ratio * 100);
        assertTrue(ratio < 0.05, "the balancer carried " + ratio * 100 + "% of the bytes");

        // The kernel's named counters reach /metrics (read every 2 s): the download's client-side packets (ACKs).
        String series = "sluice_direct_backend_packets_total{backend=\"" + w[3] + "\",listener=\"web\"}";
        String[] last = {""};
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                .until(() -> metric(last[0] = admin("b1", "GET", "/metrics", ""), series) > 100);
        String metrics = last[0];
        System.out.println("[direct-lab] b1 /metrics: " + series + " " + metric(metrics, series)
                + ", sluice_direct_flows{listener=\"web\"} " + metric(metrics, "sluice_direct_flows{listener=\"web\"}")
                + ", sluice_direct_transactions_total " + metric(metrics, "sluice_direct_transactions_total"));
        assertTrue(metric(metrics, "sluice_direct_flows{listener=\"web\"}") >= 1);
    }

    /** The value of one series in Prometheus text, or -1. */
    private static double metric(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(-1);
    }

    @Test
    @Order(4)
    void drainKeepsEstablishedFlowsMovesNewOnesAndReleasesThemAtTheDeadline() throws Exception {
        Map<Integer, String> before = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 90 21000", 60), "connected");
        assertTrue(before.containsValue("k2"), before.toString());
        admin("b1", "POST", "/api/v1/pools/web/backends/k2/drain", "{\"deadline\":\"6s\"}");
        Instant drained = Instant.now();
        String k2 = NftScript.hex(DirectBackend.markOf((Inet4Address) InetAddress.getByName(Lab.BACKENDS.get("k2"))));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> !lab.in("b1", "nft", "list", "map", "ip", "sluice_lab", "l_web_slots").contains(k2));

        Map<Integer, String> pinged = Lab.flows(client.ask("ping", 60), "pong");
        assertEquals(before, pinged, "established flows keep their backend, k2 included");
        Map<Integer, String> fresh = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 90 21100", 60), "connected");
        System.out.println("[direct-lab] drain k2: before " + count(before) + "; established after drain " + count(pinged)
                + "; 90 new connections " + count(fresh));
        assertFalse(fresh.containsValue("k2"), "no new flow goes to a draining backend: " + count(fresh));
        assertFalse(fresh.containsValue("failed"));

        // At the deadline k2's flows are released: their next packets hash to another backend, which resets them.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<Integer, String> now = Lab.flows(client.ask("ping", 60), "pong");
            return before.entrySet().stream().filter(e -> e.getValue().equals("k2"))
                    .allMatch(e -> now.get(e.getKey()).equals("dead"));
        });
        Map<Integer, String> after = Lab.flows(client.ask("ping", 60), "pong");
        long k2Dead = before.entrySet().stream().filter(e -> e.getValue().equals("k2") && after.get(e.getKey()).equals("dead")).count();
        long othersAlive = before.entrySet().stream().filter(e -> !e.getValue().equals("k2") && after.get(e.getKey()).equals(e.getValue())).count()
                + fresh.size(); // fresh are still open too
        System.out.println("[direct-lab] drain deadline 6s: flows released by " + Duration.between(drained, Instant.now()).toMillis()
                + " ms after the drain call returned: k2's " + k2Dead + " flows removed; " + othersAlive + " other flows intact");
        before.forEach((port, backend) -> {
            if (!backend.equals("k2")) {
                assertEquals(backend, after.get(port), "flow from " + port + " is not k2's and stays");
            }
        });
        client.ask("close", 30);
        admin("b1", "POST", "/api/v1/pools/web/backends/k2/ready", "");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> lab.in("b1", "nft", "list", "map", "ip", "sluice_lab", "l_web_slots").contains(k2));
    }

    @Test
    @Order(5)
    void aBackendThatGoesDownGetsNoNewFlows() throws Exception {
        // k3 stops answering its health checks: the kernel's table follows within fall * interval.
        lab.in("k3", "nft", "add", "table", "ip", "labfault");
        lab.in("k3", "nft", "add", "chain", "ip", "labfault", "in", "{ type filter hook input priority 0; policy accept; }");
        lab.in("k3", "nft", "add", "rule", "ip", "labfault", "in", "ip", "saddr", Lab.BALANCERS.get("b1"), "tcp", "dport", "8080", "drop");
        Instant cut = Instant.now();
        String k3 = NftScript.hex(DirectBackend.markOf((Inet4Address) InetAddress.getByName(Lab.BACKENDS.get("k3"))));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> !lab.in("b1", "nft", "list", "map", "ip", "sluice_lab", "l_web_slots").contains(k3));
        long took = Duration.between(cut, Instant.now()).toMillis();
        Map<Integer, String> fresh = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 60 22000", 60), "connected");
        client.ask("close", 30);
        System.out.println("[direct-lab] k3 unreachable from the balancer: out of the kernel's table after " + took
                + " ms; 60 new connections " + count(fresh));
        assertFalse(fresh.containsValue("k3"));
        assertFalse(fresh.containsValue("failed"));
        lab.in("k3", "nft", "delete", "table", "ip", "labfault");
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> lab.in("b1", "nft", "list", "map", "ip", "sluice_lab", "l_web_slots").contains(k3));
    }

    @Test
    @Order(6)
    void aDaemonCrashAndRestartLoseNoEstablishedFlow() throws Exception {
        Map<Integer, String> before = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 50 23000", 60), "connected");
        Lab.Client streamer = new Lab.Client(lab.node("c", dir.resolve("streamer.log"), "client"));
        assertEquals("ready", streamer.awaitReady(30));
        String stream = "udpstream " + Lab.VIP + " 9000 2500 4"; // 10 s of one UDP flow, across the crash and restart
        streamer.send(stream);
        lab.takeDaemon("b1").kill(); // SIGKILL: as a crash
        Map<Integer, String> whileDown = Lab.flows(client.ask("ping", 60), "pong");
        assertEquals(before, whileDown, "the kernel keeps forwarding on the last table while no daemon runs");
        Map<Integer, String> newWhileDown = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 20 23100", 60), "connected");
        assertFalse(newWhileDown.containsValue("failed"), "new flows too: " + newWhileDown);
        startNode("b1");
        Map<Integer, String> after = Lab.flows(client.ask("ping", 60), "pong");
        Map<Integer, String> all = new LinkedHashMap<>(before);
        all.putAll(newWhileDown);
        assertEquals(all, after, "the restarted daemon adopted its table and kept the flow map");
        String streamed = streamer.answer(stream, 60);
        streamer.close();
        System.out.println("[direct-lab] daemon SIGKILLed and restarted: " + before.size() + " established + "
                + newWhileDown.size() + " opened meanwhile, all kept their backend: " + count(after)
                + "; one UDP flow meanwhile: " + streamed);
        assertTrue(streamed.matches("stream \\d+ sent 2500 answered 2500 by k[123]"), "no datagram lost, one backend: " + streamed);
        client.ask("close", 30);
    }

    @Test
    @Order(7)
    void aReloadIsOneTransactionThatKeepsEstablishedFlows() throws Exception {
        Map<Integer, String> before = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 60 24000", 60), "connected");
        Lab.Client streamer = new Lab.Client(lab.node("c", dir.resolve("streamer2.log"), "client"));
        assertEquals("ready", streamer.awaitReady(30));
        String stream = "udpstream " + Lab.VIP + " 9000 1000 3";
        streamer.send(stream);
        // New weights: k1 300. The Maglev table changes, so new flows spread differently; old ones stay.
        String yaml = Files.readString(config).replace("198.51.100.11:8080, weight: 100", "198.51.100.11:8080, weight: 300");
        Files.writeString(config, yaml);
        parsed = ConfigLoader.parse(yaml, "sluice.yaml");
        predictor = new Pool(parsed.pools().get("web"), System::nanoTime);
        DaemonProcess b1 = lab.daemon("b1");
        String k1 = NftScript.hex(DirectBackend.markOf((Inet4Address) InetAddress.getByName(Lab.BACKENDS.get("k1"))));
        long slotsBefore = countOf(lab.in("b1", "nft", "list", "map", "ip", "sluice_lab", "l_web_slots"), k1);
        assertTrue(b1.signal("HUP"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> countOf(lab.in("b1", "nft", "list", "map", "ip", "sluice_lab", "l_web_slots"), k1) > slotsBefore);
        long slotsAfter = countOf(lab.in("b1", "nft", "list", "map", "ip", "sluice_lab", "l_web_slots"), k1);
        Map<Integer, String> after = Lab.flows(client.ask("ping", 60), "pong");
        assertEquals(before, after, "established flows keep their backend across a reload");
        Map<Integer, String> fresh = Lab.flows(client.ask("connect " + Lab.VIP + " 8080 200 24100", 60), "connected");
        for (Map.Entry<Integer, String> f : fresh.entrySet()) {
            assertEquals(predicted("web", f.getKey(), 8080), f.getValue(), "new flows follow the new table");
        }
        String streamed = streamer.answer(stream, 60);
        streamer.close();
        System.out.println("[direct-lab] reload (k1 weight 100 -> 300): k1 slots " + slotsBefore + " -> " + slotsAfter
                + "; " + before.size() + " established flows kept; 200 new " + count(fresh) + "; one UDP flow meanwhile: " + streamed);
        assertTrue(streamed.matches("stream \\d+ sent 1000 answered 1000 by k[123]"), "no datagram lost, one backend: " + streamed);
        client.ask("close", 30);
    }

    private static long countOf(String text, String word) {
        return text.split(word, -1).length - 1;
    }

    @Test
    @Order(8)
    void twoNodesBehindEcmpGiveEachFlowTheSameBackend() throws Exception {
        startNode("b2");
        lab.routeVia("b1", "b2");
        String route = lab.in("c", "ip", "route", "show", Lab.VIP);
        System.out.println("[direct-lab] client route: " + route.replace('\n', ' ').replaceAll("\\s+", " "));
        assertEquals(2, route.split("nexthop").length - 1, route);
        long b1Before = lab.interfaceBytes("b1");
        long b2Before = lab.interfaceBytes("b2");
        Map<Integer, String> flows = new LinkedHashMap<>();
        for (int batch = 0; batch < 5; batch++) {
            flows.putAll(Lab.flows(client.ask("connect " + Lab.VIP + " 8080 200 " + (25000 + 200 * batch), 120), "connected"));
        }
        long b1 = lab.interfaceBytes("b1") - b1Before;
        long b2 = lab.interfaceBytes("b2") - b2Before;
        int mismatches = 0;
        for (Map.Entry<Integer, String> f : flows.entrySet()) {
            if (!f.getValue().equals(predicted("web", f.getKey(), 8080))) {
                mismatches++;
            }
        }
        System.out.println("[direct-lab] 1000 flows over ECMP: bytes through b1 " + b1 + ", b2 " + b2 + "; backends "
                + count(flows) + "; flows not on their predicted backend: " + mismatches);
        assertEquals(1000, flows.size());
        assertEquals(0, mismatches, "either node sends a flow to the same backend");
        assertTrue(b1 > 0 && b2 > 0, "ECMP used both nodes");

        // One node goes away (its route is withdrawn): its flows continue through the other.
        lab.routeVia("b2");
        Map<Integer, String> after = Lab.flows(client.ask("ping", 120), "pong");
        long kept = flows.entrySet().stream().filter(e -> e.getValue().equals(after.get(e.getKey()))).count();
        System.out.println("[direct-lab] b1 withdrawn: " + kept + " of " + flows.size() + " flows continue through b2");
        assertEquals(flows, after);
        client.ask("close", 30);
        lab.routeVia("b1");
    }

    @Test
    @Order(9)
    void startErrorsAreOneClearMessageAndExit2() throws Exception {
        Path other = DaemonProcess.writeConfig(dir, "conflict.yaml", Lab.config("theirs", ""));
        lab.in("b2", "nft", "add", "table", "ip", "theirs");
        String conflict = failedStart(other, "ip", "netns", "exec", lab.ns("b2"));
        assertTrue(conflict.contains("nft table ip theirs already exists and is not Sluice's"), conflict);
        assertTrue(lab.in("b2", "nft", "list", "tables").contains("table ip theirs"), "someone else's table is untouched");

        String noCapability = failedStart(other, "ip", "netns", "exec", lab.ns("b2"), "setpriv", "--bounding-set", "-net_admin");
        assertTrue(noCapability.contains("direct routing needs CAP_NET_ADMIN"), noCapability);

        Path empty = Files.createDirectories(dir.resolve("no-tools"));
        String noNft = failedStart(other, "ip", "netns", "exec", lab.ns("b2"), "env", "PATH=" + empty);
        assertTrue(noNft.contains("direct routing needs the nft command"), noNft);
        System.out.println("[direct-lab] start errors (exit 2): " + String.join(" | ", List.of(conflict, noCapability, noNft)));
    }

    private static String failedStart(Path cfg, String... prefix) throws Exception {
        try (DaemonProcess d = DaemonProcess.launch().prefix(prefix).start(dir, "run", "--config", cfg.toString())) {
            Integer code = d.awaitExit(Duration.ofSeconds(60));
            assertEquals(2, code, d.output());
            String line = d.output().lines().filter(l -> l.startsWith("sluice: ")).findFirst().orElse(d.output());
            assertFalse(d.output().contains("\tat "), "no stack trace:\n" + d.output());
            return line;
        }
    }
}
