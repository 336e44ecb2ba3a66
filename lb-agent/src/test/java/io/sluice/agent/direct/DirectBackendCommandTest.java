package io.sluice.agent.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.agent.SluiceAgent;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code sluice-agent direct-backend}: the real command in a network namespace of the test's own
 * (created and always deleted; nothing touches the host's namespace). Skipped, with the reason
 * printed, where it cannot make one (not root, no ip).
 */
class DirectBackendCommandTest {

    private static final String VIP = "203.0.113.10";

    @Test
    void aBadVipIsExit2WithOneLine() {
        StringWriter err = new StringWriter();
        CommandLine cl = SluiceAgent.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("direct-backend", "apply", "--vip", "203.0.113"));
        assertEquals("sluice-agent: --vip 203.0.113: expected an IPv4 address like 203.0.113.10", err.toString().strip());
        assertEquals(2, cl.execute("direct-backend", "apply", "--vip", "2001:db8::1"));
    }

    @Test
    void applyAndRemoveInANamespace() throws Exception {
        String why = unavailable();
        if (why != null) {
            System.out.println("[direct-backend] SKIPPED: " + why);
            Assumptions.abort(why);
        }
        String ns = "slagent-" + Long.toString(ProcessHandle.current().pid(), 36) + "-" + Long.toString(System.nanoTime() % 46656, 36);
        Thread hook = new Thread(() -> deleteQuietly(ns));
        Runtime.getRuntime().addShutdownHook(hook);
        run("ip", "netns", "add", ns);
        try {
            String applied = agent(ns, 0, "direct-backend", "apply", "--vip", VIP, "--vip", "203.0.113.11");
            System.out.println("[direct-backend] apply: " + applied.replace('\n', ';'));
            String lo = run("ip", "-n", ns, "-o", "addr", "show", "dev", "lo");
            assertTrue(lo.contains(" " + VIP + "/32 ") && lo.contains(" 203.0.113.11/32 "), lo);
            assertEquals("1", run("ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv4/conf/all/arp_ignore").strip());
            assertEquals("2", run("ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv4/conf/all/arp_announce").strip());
            assertEquals("nothing to change", agent(ns, 0, "direct-backend", "apply", "--vip", VIP).strip(), "idempotent");

            String removed = agent(ns, 0, "direct-backend", "remove", "--vip", VIP, "--vip", "203.0.113.11");
            assertEquals("removed 203.0.113.10/32 from lo\nremoved 203.0.113.11/32 from lo", removed.strip());
            assertFalse(run("ip", "-n", ns, "-o", "addr", "show", "dev", "lo").contains("203.0.113."));
            assertEquals("nothing to change", agent(ns, 0, "direct-backend", "remove", "--vip", VIP).strip());
        } finally {
            deleteQuietly(ns);
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    /** Runs sluice-agent in {@code ns}; asserts its exit code; returns its stdout. */
    private static String agent(String ns, int expectedExit, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SluiceAgent.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(expectedExit, p.exitValue(), out + err);
        return out;
    }

    private static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root (network namespaces need it)";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip")) && !Files.isExecutable(Path.of("/bin/ip"))) {
            return "no `ip` command (install iproute2)";
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
