package io.sluice.direct;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.harness.DaemonProcess;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A direct-routing lab of network namespaces: a bridge (in a namespace of its own, never the host's),
 * a client, two balancer nodes and three backends, all on 198.51.100.0/24, the VIP 203.0.113.10 on
 * the backends' loopback. Names carry a per-run suffix; {@link #close()} (also run by a shutdown hook)
 * kills what the lab started and deletes every namespace it made. Nothing touches the host's own
 * namespace, routes or nftables.
 *
 * <p>The lab owns its nodes: the backends' servers, the client and the daemons started through it, all
 * stopped at {@link #close()}.
 *
 * <p>Used from the test thread only (the shutdown hook only kills processes and deletes namespaces).
 */
final class Lab implements AutoCloseable {

    static final String VIP = "203.0.113.10";
    static final String CLIENT = "198.51.100.2";
    static final Map<String, String> BALANCERS = Map.of("b1", "198.51.100.3", "b2", "198.51.100.4");
    static final Map<String, String> BACKENDS = Map.of("k1", "198.51.100.11", "k2", "198.51.100.12",
            "k3", "198.51.100.13");
    /** The lab daemons' admin API, where {@link #admin} binds it. */
    static final String ADMIN = "127.0.0.1:9901";

    private final String suffix;
    private final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final Thread hook = new Thread(this::cleanUp, "lab-cleanup");
    /** The sluice daemons running in the balancer namespaces, by node (b1, b2). */
    private final Map<String, DaemonProcess> daemons = new HashMap<>();
    private Path dir;
    private Client client;

    private Lab(String suffix) {
        this.suffix = suffix;
    }

    /**
     * The config every lab daemon runs: nft table {@code table}; a TCP (8080) and a UDP (9000) listener on the
     * VIP to pool {@code web}, Maglev over k1..k3 weighted 100/200/100 with TCP health checks; then
     * {@code more} ({@link #admin}, a handover socket: what a test adds, or nothing).
     */
    static String config(String table, String more) {
        return """
                direct:
                  table: %s
                  listeners:
                    - { name: web, vip: %s, ports: [8080], pool: web }
                    - { name: echo, vip: %s, ports: [9000], protocol: udp, pool: web, flow-idle-timeout: 30s }
                pools:
                  web:
                    balance: maglev
                    maglev-table-size: 251
                    health: { type: tcp, interval: 300ms, timeout: 200ms }
                    backends:
                      - { name: k1, address: %s:8080, weight: 100 }
                      - { name: k2, address: %s:8080, weight: 200 }
                      - { name: k3, address: %s:8080, weight: 100 }
                """.formatted(table, VIP, VIP, BACKENDS.get("k1"), BACKENDS.get("k2"), BACKENDS.get("k3")) + more;
    }

    /** The config's admin block: the API on {@link #ADMIN}, the token in {@code tokenFile}. */
    static String admin(Path tokenFile) {
        return """
                admin:
                  bind: %s
                  token-file: %s
                """.formatted(ADMIN, tokenFile);
    }

    /** Why the lab cannot run here, or empty. */
    static Optional<String> unavailable() {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
            return Optional.of("not Linux");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("not root (network namespaces need it)");
        }
        for (String tool : List.of("ip", "nft")) {
            if (!onPath(tool)) {
                return Optional.of("no `" + tool + "` command (install iproute2 and nftables)");
            }
        }
        return Optional.empty();
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /**
     * The lab a test class runs on, in {@code dir}: built, with the three backends' servers ready. Aborts
     * the test class (skipped, the reason printed with {@code tag}) where the machine cannot build it.
     * {@link #startClient()} and {@link #startDaemon} add the rest; {@link #close()} ends all of it.
     */
    static Lab open(String tag, Path dir) throws IOException, InterruptedException {
        Optional<String> why = unavailable();
        if (why.isPresent()) {
            System.out.println("[" + tag + "] SKIPPED: " + why.get());
            Assumptions.abort(why.get());
        }
        Lab lab = create();
        lab.dir = dir;
        try {
            for (String k : List.of("k1", "k2", "k3")) {
                Client server = new Client(lab.node(k, dir.resolve(k + ".log"), "server", k, VIP));
                assertEquals("ready", server.awaitReady(30));
            }
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    /** Starts the client node; the lab closes it. */
    Client startClient() throws IOException, InterruptedException {
        client = new Client(node("c", dir.resolve("client.log"), "client"));
        assertEquals("ready", client.awaitReady(30));
        return client;
    }

    /**
     * Starts sluice with {@code args} in {@code node}'s namespace and waits (60 s at most) for its log to say
     * {@code startedLine}; the lab stops it at {@link #close()} unless a test took it first ({@link #takeDaemon}).
     */
    DaemonProcess startDaemon(String node, String startedLine, String... args) throws Exception {
        DaemonProcess d = DaemonProcess.launch().prefix("ip", "netns", "exec", ns(node)).start(dir, args);
        track(d.process());
        daemons.put(node, d);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !d.isAlive() || d.output().contains(startedLine));
        assertTrue(d.isAlive(), () -> "sluice on " + node + " exited:\n" + d.output());
        return d;
    }

    /** The daemon running on {@code node}, or null. */
    DaemonProcess daemon(String node) {
        return daemons.get(node);
    }

    /** The daemon on {@code node}, no longer the lab's to stop: the test stops (or kills) it. */
    DaemonProcess takeDaemon(String node) {
        return daemons.remove(node);
    }

    /** {@code connected 40001:k1 40002:k3 ...} (a client's answer after {@code prefix}) as port to backend, in order. */
    static Map<Integer, String> flows(String answer, String prefix) {
        assertTrue(answer.startsWith(prefix), answer);
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String part : answer.substring(prefix.length()).trim().split(" ")) {
            if (!part.isEmpty()) {
                String[] pb = part.split(":");
                out.put(Integer.parseInt(pb[0]), pb[1]);
            }
        }
        return out;
    }

    /** Builds the namespaces, the bridge and the addresses; the client's route to the VIP goes via b1. */
    private static Lab create() throws IOException, InterruptedException {
        Lab lab = new Lab(Long.toString(ProcessHandle.current().pid(), 36) + Long.toString(System.nanoTime() % 46656, 36));
        Runtime.getRuntime().addShutdownHook(lab.hook);
        try {
            lab.build();
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void build() throws IOException, InterruptedException {
        String bridge = addNamespace("br");
        run("ip", "-n", bridge, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", bridge, "link", "set", "br0", "up");
        attach("c", CLIENT, bridge);
        for (String b : List.of("b1", "b2")) {
            attach(b, BALANCERS.get(b), bridge);
            sysctl(ns(b), "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0",
                    "net.ipv4.conf.eth0.send_redirects=0", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.eth0.rp_filter=0");
        }
        for (String k : List.of("k1", "k2", "k3")) {
            attach(k, BACKENDS.get(k), bridge);
            // What `sluice-agent direct-backend apply` does on a real backend.
            run("ip", "-n", ns(k), "addr", "add", VIP + "/32", "dev", "lo");
            sysctl(ns(k), "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
                    "net.ipv4.conf.eth0.arp_ignore=1", "net.ipv4.conf.eth0.arp_announce=2");
        }
        sysctl(ns("c"), "net.ipv4.fib_multipath_hash_policy=1");
        routeVia("b1");
    }

    private String addNamespace(String role) throws IOException, InterruptedException {
        String name = "sl" + role + "-" + suffix;
        run("ip", "netns", "add", name);
        namespaces.add(name);
        return name;
    }

    private void attach(String role, String address, String bridge) throws IOException, InterruptedException {
        String ns = addNamespace(role);
        run("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "p" + role, "netns", bridge);
        run("ip", "-n", bridge, "link", "set", "p" + role, "master", "br0", "up");
        run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    private void sysctl(String ns, String... settings) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "sysctl", "-q", "-w"));
        cmd.addAll(List.of(settings));
        run(cmd.toArray(String[]::new));
    }

    /** The namespace of a role: c, b1, b2, k1, k2, k3. */
    String ns(String role) {
        return "sl" + role + "-" + suffix;
    }

    /** The client's route to the VIP: through one node, or ECMP over several. */
    void routeVia(String... nodes) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns("c"), "route", "replace", VIP + "/32"));
        if (nodes.length == 1) {
            cmd.addAll(List.of("via", BALANCERS.get(nodes[0])));
        } else {
            for (String n : nodes) {
                cmd.addAll(List.of("nexthop", "via", BALANCERS.get(n), "weight", "1"));
            }
        }
        run(cmd.toArray(String[]::new));
    }

    /** Bytes received plus sent on {@code ns}'s eth0 (the interface counters). */
    long interfaceBytes(String role) throws IOException, InterruptedException {
        String base = "/sys/class/net/eth0/statistics/";
        String out = run("ip", "netns", "exec", ns(role), "cat", base + "rx_bytes", base + "tx_bytes");
        long sum = 0;
        for (String line : out.trim().split("\\s+")) {
            sum += Long.parseLong(line);
        }
        return sum;
    }

    /** Bytes received on {@code ns}'s eth0. */
    long receivedBytes(String role) throws IOException, InterruptedException {
        return Long.parseLong(run("ip", "netns", "exec", ns(role), "cat", "/sys/class/net/eth0/statistics/rx_bytes").trim());
    }

    /** Runs a command in {@code role}'s namespace; its stdout (a non-zero exit is an IOException with stderr). */
    String in(String role, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        cmd.addAll(List.of(command));
        return run(cmd.toArray(String[]::new));
    }

    /** Starts a {@link LabNode} program in {@code role}'s namespace, its stderr to {@code log}. */
    Process node(String role, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(role),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), LabNode.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** Runs a {@link LabNode} program in {@code role}'s namespace to its end; its whole output. */
    String runNode(String role, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), LabNode.class.getName()));
        cmd.addAll(List.of(args));
        return in(role, cmd.toArray(String[]::new));
    }

    /** A program the lab started elsewhere (a daemon), killed at {@link #close()} if still running. */
    void track(Process p) {
        processes.add(p);
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": no exit in 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": "
                    + new String(err, StandardCharsets.UTF_8).strip());
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Stops the client and the daemons (each its graceful stop), then kills what is left and deletes the namespaces. */
    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        for (DaemonProcess d : daemons.values()) {
            try {
                d.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        daemons.clear();
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private void cleanUp() {
        synchronized (processes) {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (Process p : processes) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            processes.clear();
        }
        synchronized (namespaces) {
            for (String ns : namespaces) {
                try {
                    run("ip", "netns", "del", ns);
                } catch (IOException | InterruptedException e) {
                    System.err.println("[lab] could not delete namespace " + ns + ": " + e.getMessage());
                }
            }
            namespaces.clear();
        }
    }

    /** A {@link LabNode} client: one command in, one line out, each wait bounded. */
    static final class Client implements AutoCloseable {
        private final Process process;
        private final PrintWriter commands;
        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(64);

        Client(Process process) {
            this.process = process;
            this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.put(line);
                    }
                } catch (IOException | InterruptedException e) {
                    // the process ended
                }
            }, "lab-client-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the program's first line ({@code ready}). */
        String awaitReady(long seconds) throws InterruptedException, IOException {
            String first = lines.poll(seconds, TimeUnit.SECONDS);
            if (first == null) {
                throw new IOException("lab program not ready in " + seconds + " s");
            }
            return first;
        }

        /** Sends a command; its answer line (at most {@code seconds} to wait). */
        String ask(String command, long seconds) throws InterruptedException, IOException {
            send(command);
            return answer(command, seconds);
        }

        /** Sends a command without waiting ({@link #answer} reads its line later). */
        void send(String command) {
            commands.println(command);
        }

        /** The next answer line (at most {@code seconds} to wait). */
        String answer(String command, long seconds) throws InterruptedException, IOException {
            String answer = lines.poll(seconds, TimeUnit.SECONDS);
            if (answer == null) {
                throw new IOException("no answer to '" + command + "' in " + seconds + " s");
            }
            return answer;
        }

        @Override
        public void close() {
            commands.println("quit");
            process.destroyForcibly();
        }
    }
}
