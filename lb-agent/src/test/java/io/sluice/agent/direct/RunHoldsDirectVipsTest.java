package io.sluice.agent.direct;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.agent.SluiceAgent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice-agent run} with a service in a direct pool ({@code direct-vips}), as a real process
 * inside a network namespace of the test's own (created and always deleted; the host's namespace is
 * never touched): the VIPs are on {@code lo} with the ARP settings while it runs, and gone after
 * SIGTERM. The registry (Consul) is not reachable from the namespace; the agent keeps retrying it,
 * which is what it does anywhere a registry is down, and the VIP setup does not wait for it.
 * Skipped, with the reason printed, where the machine cannot make a namespace.
 */
class RunHoldsDirectVipsTest {

    private static final String CONFIG = """
            registry: consul
            consul: { address: "http://127.0.0.1:1" }
            services:
              - name: video
                address: 198.51.100.11
                port: 8080
                drain-on-shutdown: 0s
                direct-vips: [203.0.113.10, 203.0.113.11]
            """;

    @TempDir
    Path dir;

    private String ns;
    private Thread hook;

    @BeforeEach
    void namespace() throws Exception {
        String why = unavailable();
        if (why != null) {
            System.out.println("[agent-direct] SKIPPED: " + why);
            Assumptions.abort(why);
        }
        ns = "slagrun-" + Long.toString(ProcessHandle.current().pid(), 36) + "-" + Long.toString(System.nanoTime() % 46656, 36);
        hook = new Thread(() -> deleteQuietly(ns));
        Runtime.getRuntime().addShutdownHook(hook);
        run("ip", "netns", "add", ns);
    }

    @AfterEach
    void removeNamespace() {
        if (ns != null) {
            deleteQuietly(ns);
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    @Test
    void runHoldsTheVipsWhileItRunsAndGivesThemBackOnSigterm() throws Exception {
        Path config = Files.writeString(dir.resolve("agent.yaml"), CONFIG);
        Path log = dir.resolve("agent.log");
        Process agent = agent(log, "run", "--config", config.toString());
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> lo().contains(" 203.0.113.11/32 "));
            String lo = lo();
            assertTrue(lo.contains(" 203.0.113.10/32 ") && lo.contains(" 203.0.113.11/32 "), lo);
            assertEquals("1", sysctl("arp_ignore"));
            assertEquals("2", sysctl("arp_announce"));
            assertTrue(agent.isAlive(), () -> read(log));

            run("kill", "-TERM", Long.toString(agent.pid()));
            assertTrue(agent.waitFor(30, TimeUnit.SECONDS), () -> read(log));
            String output = read(log);
            System.out.println("[agent-direct] run held 203.0.113.10 and .11 on lo (arp_ignore=1, arp_announce=2);"
                    + " after SIGTERM exit " + agent.exitValue() + ", lo: " + lo().strip().replaceAll("\\s+", " "));
            assertEquals(0, agent.exitValue(), output);
            assertFalse(lo().contains("203.0.113."), "the VIPs left lo on shutdown:\n" + output);
            assertTrue(output.contains("removed 203.0.113.10/32 from lo"), output);
        } finally {
            agent.destroyForcibly();
        }
    }

    @Test
    void withoutThePrivilegeRunSaysWhyAndExits1() throws Exception {
        Path config = Files.writeString(dir.resolve("agent.yaml"), CONFIG);
        Path log = dir.resolve("agent.log");
        Process agent = agent(log, List.of("setpriv", "--bounding-set", "-net_admin", "--inh-caps", "-net_admin"),
                "run", "--config", config.toString());
        assertTrue(agent.waitFor(60, TimeUnit.SECONDS), () -> read(log));
        String output = read(log);
        System.out.println("[agent-direct] without CAP_NET_ADMIN: exit " + agent.exitValue() + ": "
                + output.lines().filter(l -> l.startsWith("sluice-agent:")).findFirst().orElse(output));
        assertEquals(1, agent.exitValue(), output);
        assertTrue(output.contains("sluice-agent: direct-vips: ip addr add 203.0.113.10/32 dev lo failed: RTNETLINK answers:"
                + " Operation not permitted (needs CAP_NET_ADMIN: run as root)"), output);
        assertFalse(output.contains("\tat "), "no stack trace:\n" + output);
    }

    @Test
    void aVipThatIsNotIpv4IsAConfigErrorWithItsLine() throws Exception {
        Path config = Files.writeString(dir.resolve("agent.yaml"), CONFIG.replace("203.0.113.11", "2001:db8::1"));
        Path log = dir.resolve("agent.log");
        Process agent = agent(log, "run", "--config", config.toString());
        assertTrue(agent.waitFor(60, TimeUnit.SECONDS));
        String output = read(log);
        assertEquals(2, agent.exitValue(), output);
        assertTrue(output.contains("agent.yaml:8: services[0].direct-vips[1]: '2001:db8::1' (expected the IPv4 address"),
                output);
    }

    private String lo() throws IOException, InterruptedException {
        return run("ip", "-n", ns, "-o", "addr", "show", "dev", "lo");
    }

    private String sysctl(String name) throws IOException, InterruptedException {
        return run("ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv4/conf/all/" + name).strip();
    }

    private Process agent(Path log, String... args) throws IOException {
        return agent(log, List.of(), args);
    }

    /** sluice-agent as a process in the namespace (under {@code wrapper}), stdout and stderr to {@code log}. */
    private Process agent(Path log, List<String> wrapper, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(wrapper);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), SluiceAgent.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root (network namespaces need it)";
        }
        for (String tool : List.of("ip", "setpriv")) {
            if (List.of("/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/").stream().noneMatch(d -> Files.isExecutable(Path.of(d + tool)))) {
                return "no `" + tool + "` command (install iproute2 and util-linux)";
            }
        }
        return null;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": " + out);
        }
        return out;
    }

    private static void deleteQuietly(String ns) {
        try {
            run("ip", "netns", "del", ns);
        } catch (IOException | InterruptedException e) {
            // already gone
        }
    }
}
