package io.sluice.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.balance.MaglevTable;
import io.sluice.config.ConfigLoader;
import io.sluice.config.DirectListenerConfig.FlowKey;
import io.sluice.config.SluiceConfig;
import io.sluice.pool.Pool;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plan the kernel gets is the pool's own Maglev table, and liveness follows drain, deadline and health. */
class PlansTest {

    private static final String YAML = """
            listeners:
              - { name: proxy, bind: 127.0.0.1:7000, pool: web }
            direct:
              listeners:
                - { name: web, vip: 203.0.113.10, ports: [80], pool: web }
            pools:
              web:
                balance: maglev
                maglev-table-size: 251
                backends:
                  - { name: k1, address: 198.51.100.11:80 }
                  - { name: k2, address: 198.51.100.12:80, weight: 200 }
                  - { name: k3, address: 198.51.100.13:80 }
            """;

    private final SluiceConfig config;
    private final Pool pool;

    PlansTest() throws Exception {
        config = ConfigLoader.parse(YAML, "test.yaml");
        pool = new Pool(config.pools().get("web"), System::nanoTime);
    }

    private DirectPlan plan(Instant now) {
        return Plans.of(config.direct(), Map.of("web", pool), now);
    }

    @Test
    void theSlotMapIsThePoolsMaglevTableSlotBySlot() {
        ServicePlan s = plan(Instant.now()).services().get(0);
        MaglevTable table = pool.maglevTable();
        assertEquals(table.size(), s.slotMarks().length);
        Map<String, Integer> slots = new HashMap<>();
        for (int i = 0; i < table.size(); i++) {
            Backend owner = table.lookup(i);
            assertEquals(DirectBackend.markOf((Inet4Address) owner.address().getAddress()), s.slotMarks()[i], "slot " + i);
            slots.merge(owner.name(), 1, Integer::sum);
        }
        assertEquals(table.slotsByBackend(), slots);
        assertEquals(table.fingerprint(), s.fingerprint());
        System.out.println("[plans] slots per backend (weights 100/200/100): " + slots);
    }

    @Test
    void aFlowGoesWhereTheProxysTableSendsItsSlot() throws Exception {
        // Proxy mode and direct mode share the table: the backend owning the flow's kernel slot.
        ServicePlan s = plan(Instant.now()).services().get(0);
        Inet4Address client = (Inet4Address) InetAddress.getByName("198.51.100.2");
        Map<Long, String> byMark = new HashMap<>();
        s.backends().forEach(b -> byMark.put(b.mark(), b.name()));
        for (int port = 30000; port < 30100; port++) {
            int slot = FlowHash.slot(FlowKey.FIVE_TUPLE, client, port, 80, s.slotMarks().length, config.direct().hashSeed());
            assertEquals(pool.maglevTable().lookup(slot).name(), byMark.get(s.slotMarks()[slot]));
        }
    }

    @Test
    void drainLeavesTheTableButKeepsFlowsUntilItsDeadline() {
        Backend k1 = pool.backend("k1");
        Instant now = Instant.now();
        k1.state().admin(AdminState.DRAIN, now.plusSeconds(30), "test");
        pool.rebuild();
        ServicePlan s = plan(now).services().get(0);
        long mark = s.backends().get(0).mark();
        for (long m : s.slotMarks()) {
            assertNotEquals(mark, m, "no slot for a draining backend");
        }
        assertTrue(s.backends().get(0).live(), "established flows stay before the deadline");
        assertFalse(plan(now.plusSeconds(31)).services().get(0).backends().get(0).live(), "released at the deadline");
    }

    @Test
    void drainWithoutDeadlineAndWeightZeroKeepFlows() {
        pool.backend("k1").state().admin(AdminState.DRAIN, null, "test");
        pool.backend("k2").state().weightOverride(0, "test");
        pool.rebuild();
        ServicePlan s = plan(Instant.now().plus(Duration.ofDays(1))).services().get(0);
        assertTrue(s.backends().get(0).live());
        assertTrue(s.backends().get(1).live());
        assertEquals(List.of("k1=0", "k2=0", "k3=251"), NftScript.describe(s));
    }

    @Test
    void aDownBackendReleasesItsFlowsAtOnce() {
        pool.backend("k3").state().health(false, "test");
        pool.rebuild();
        ServicePlan s = plan(Instant.now()).services().get(0);
        assertFalse(s.backends().get(2).live());
        assertEquals(List.of("k1", "k2"), pool.maglevTable().slotsByBackend().keySet().stream().toList());
    }

    @Test
    void noEligibleBackendMeansAnEmptySlotMap() {
        for (Backend b : pool.backends()) {
            b.state().health(false, "test");
        }
        pool.rebuild();
        ServicePlan s = plan(Instant.now()).services().get(0);
        assertEquals(0, s.slotMarks().length);
        assertFalse(s.hasBackends());
    }
}
