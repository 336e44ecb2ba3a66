package io.sluice.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.ConfigLoader;
import io.sluice.config.DirectConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.pool.Pool;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectPlane} against a real kernel, in one network namespace of the test's own (its
 * commands run under {@code ip netns exec}): adopting its own table with the flows in it, refusing a
 * foreign one, a reload that renames the table, the stop that removes it. Skipped where the machine
 * cannot (not root, no ip or nft), with the reason printed.
 */
class DirectPlaneTest {

    private static final String YAML = """
            direct:
              table: TABLE
              remove-table-on-stop: REMOVE
              listeners:
                - { name: web, vip: 203.0.113.10, ports: [80], pool: web }
            pools:
              web:
                balance: maglev
                maglev-table-size: 251
                backends:
                  - { name: k1, address: 198.51.100.11:80 }
                  - { name: k2, address: 198.51.100.12:80 }
            """;

    private String ns;
    private Thread hook;
    private Map<String, Pool> pools;

    @BeforeEach
    void namespace() throws Exception {
        Optional<String> why = Lab.unavailable();
        if (why.isPresent()) {
            System.out.println("[direct-plane] SKIPPED: " + why.get());
            Assumptions.abort(why.get());
        }
        ns = "slplane-" + Long.toString(ProcessHandle.current().pid(), 36) + "-" + Long.toString(System.nanoTime() % 46656, 36);
        hook = new Thread(this::deleteNamespace);
        Runtime.getRuntime().addShutdownHook(hook);
        Lab.run("ip", "netns", "add", ns);
        // The backends' subnet, so the policy routes' next hops resolve.
        Lab.run("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
        Lab.run("ip", "-n", ns, "addr", "add", "198.51.100.3/24", "dev", "eth0");
        Lab.run("ip", "-n", ns, "link", "set", "eth0", "up");
        Lab.run("ip", "-n", ns, "link", "set", "eth1", "up");
        SluiceConfig c = ConfigLoader.parse(yaml("sluice_t", false), "t.yaml");
        pools = Map.of("web", new Pool(c.pools().get("web"), System::nanoTime));
    }

    @AfterEach
    void deleteNamespace() {
        if (ns != null) {
            try {
                Lab.run("ip", "netns", "del", ns);
            } catch (IOException | InterruptedException e) {
                // already gone
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is this very call
            }
            ns = null;
        }
    }

    private static String yaml(String table, boolean remove) {
        return YAML.replace("TABLE", table).replace("REMOVE", Boolean.toString(remove));
    }

    private DirectConfig config(String table, boolean remove) throws Exception {
        return ConfigLoader.parse(yaml(table, remove), "t.yaml").direct();
    }

    private DirectPlane start(DirectConfig c) throws DirectPlane.StartFailed {
        return DirectPlane.start(c, () -> pools, null, List.of("ip", "netns", "exec", ns), Duration.ofMillis(100));
    }

    private String nft(String... args) throws Exception {
        String[] cmd = new String[args.length + 5];
        System.arraycopy(new String[] {"ip", "netns", "exec", ns, "nft"}, 0, cmd, 0, 5);
        System.arraycopy(args, 0, cmd, 5, args.length);
        return Lab.run(cmd);
    }

    @Test
    void aRestartAdoptsItsOwnTableAndKeepsTheFlows() throws Exception {
        DirectPlane first = start(config("sluice_t", false));
        assertEquals(1, first.transactions());
        assertTrue(Lab.run("ip", "-n", ns, "rule", "show").contains("fwmark 0xc633640b lookup 3325256715"));
        // A flow the kernel remembered (as if a client had sent a packet).
        nft("add", "element", "ip", "sluice_t", "l_web_flows_5t_300s", "{ 198.51.100.2 . 40000 . 80 : 0xc633640c }");
        first.close();
        assertTrue(nft("list", "tables").contains("table ip sluice_t"), "a graceful stop leaves the table by default");

        DirectPlane second = start(config("sluice_t", false));
        assertTrue(nft("list", "map", "ip", "sluice_t", "l_web_flows_5t_300s").contains("198.51.100.2 . 40000 . 80"),
                "the flow survived the restart");
        second.close();
    }

    @Test
    void aForeignTableIsRefusedAndLeftAlone() throws Exception {
        nft("add", "table", "ip", "sluice_t");
        nft("add", "chain", "ip", "sluice_t", "theirs");
        DirectPlane.StartFailed e = assertThrows(DirectPlane.StartFailed.class, () -> start(config("sluice_t", false)));
        assertTrue(e.getMessage().startsWith("nft table ip sluice_t already exists and is not Sluice's"), e.getMessage());
        assertTrue(nft("list", "table", "ip", "sluice_t").contains("chain theirs"));
        assertFalse(Lab.run("ip", "-n", ns, "rule", "show").contains("fwmark"), "no route was added");
    }

    @Test
    void aReloadThatRenamesTheTableMovesEverythingAndStopRemovesIt() throws Exception {
        DirectPlane plane = start(config("sluice_a", false));
        assertEquals(List.of(), plane.reconfigure(config("sluice_b", true)));
        String tables = nft("list", "tables");
        assertTrue(tables.contains("table ip sluice_b") && !tables.contains("table ip sluice_a"), tables);

        nft("add", "table", "ip", "foreign");
        List<String> refused = plane.reconfigure(config("foreign", true));
        assertEquals(1, refused.size());
        assertTrue(refused.get(0).startsWith("nft table ip foreign already exists and is not Sluice's"), refused.get(0));
        assertEquals("sluice_b", plane.config().table(), "a refused rename keeps the table in use");

        plane.close(); // remove-table-on-stop: true
        tables = nft("list", "tables");
        assertFalse(tables.contains("sluice_b"), tables);
        assertTrue(tables.contains("table ip foreign"), "never another table");
        assertFalse(Lab.run("ip", "-n", ns, "rule", "show").contains("fwmark"), "Sluice's rules went with it");
    }
}
