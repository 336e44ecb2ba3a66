package io.sluice.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.backend.AdminState;
import io.sluice.backend.Backend;
import io.sluice.config.BackendConfig;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.config.DrainConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.ProxyProtocolVersion;
import io.sluice.config.StickyKeyType;
import io.sluice.harness.TestConfigs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Eligibility (health x admin x weight) and the slow-start ramp, with an injected clock. */
class SlowStartTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private Pool pool(Duration slowStart) {
        List<BackendConfig> backends = List.of(
                new BackendConfig("a", new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), 100),
                new BackendConfig("b", new InetSocketAddress(InetAddress.getLoopbackAddress(), 2), 100));
        PoolConfig pc = new PoolConfig("p", BalanceAlgorithm.ROUND_ROBIN, TestConfigs.sticky(StickyKeyType.NONE),
                Duration.ofSeconds(1), 2, 65537, ProxyProtocolVersion.OFF, backends,
                TestConfigs.NO_HEALTH_CHECKS, TestConfigs.NO_PASSIVE, slowStart, DrainConfig.DEFAULTS, null);
        return new Pool(pc, now::get);
    }

    private static int effective(Pool pool, String name) {
        return pool.eligibleBackends().stream().filter(b -> b.name().equals(name)).mapToInt(Backend::weight).findFirst().orElse(0);
    }

    @Test
    void atStartEveryBackendHasItsFullWeight() {
        Pool pool = pool(Duration.ofSeconds(10));
        assertEquals(100, effective(pool, "a"));
        assertFalse(pool.rampingUp());
    }

    @Test
    void aBackendThatComesBackRampsUpLinearly() {
        Pool pool = pool(Duration.ofSeconds(10));
        Backend a = pool.backend("a");
        a.state().health(false, "test");
        pool.rebuild();
        assertEquals(0, effective(pool, "a"), "down: not eligible");
        a.state().health(true, "test");
        pool.rebuild();
        assertEquals(1, effective(pool, "a"), "just back: the ramp starts at 1, never 0");
        assertTrue(pool.rampingUp());
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        pool.rebuild();
        assertEquals(50, effective(pool, "a"));
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        pool.rebuild();
        assertEquals(100, effective(pool, "a"));
        assertFalse(pool.rampingUp());
        assertEquals(100, effective(pool, "b"), "the other backend never ramped");
    }

    @Test
    void drainMaintAndWeightZeroAreNotEligibleButKeepTheirBackend() {
        Pool pool = pool(Duration.ZERO);
        Backend a = pool.backend("a");
        a.state().admin(AdminState.DRAIN, null, "test");
        pool.rebuild();
        assertEquals(0, effective(pool, "a"));
        a.state().admin(AdminState.MAINT, null, "test");
        pool.rebuild();
        assertEquals(0, effective(pool, "a"));
        a.state().admin(AdminState.READY, null, "test");
        a.state().weightOverride(0, "test");
        pool.rebuild();
        assertEquals(0, effective(pool, "a"));
        a.state().weightOverride(30, "test");
        pool.rebuild();
        assertEquals(30, effective(pool, "a"), "override wins over the configured weight, no ramp when slow start is off");
        assertEquals(2, pool.backends().size());
    }

    @Test
    void generationGrowsWithEveryRebuild() {
        Pool pool = pool(Duration.ZERO);
        long g = pool.generation();
        pool.rebuild();
        pool.rebuild();
        assertEquals(g + 2, pool.generation());
    }
}
