package io.sluice.harness;

import io.sluice.config.AdminConfig;
import io.sluice.config.BackendConfig;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.config.DiscoveryConfig;
import io.sluice.config.DrainConfig;
import io.sluice.config.HealthCheckType;
import io.sluice.config.HealthConfig;
import io.sluice.config.HttpCheckConfig;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerMode;
import io.sluice.config.PassiveConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.PoolDiscoverConfig;
import io.sluice.config.ProxyProtocolVersion;
import io.sluice.config.SluiceConfig;
import io.sluice.config.StateConfig;
import io.sluice.config.StickyConfig;
import io.sluice.config.StickyKeyType;
import io.sluice.config.TimeoutsConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds configs as records (not YAML) so tests can bind listeners to port 0 and point backends at
 * test servers' ephemeral ports. One listener named {@code main} on 127.0.0.1:0 to pool {@code main}.
 */
public final class TestConfigs {

    /**
     * Tests default to no active checks and no passive ejection: a health check is a connection the
     * test backends would see and count. Health tests turn them on explicitly.
     */
    public static final HealthConfig NO_HEALTH_CHECKS = new HealthConfig(
            HealthCheckType.NONE, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3,
            HttpCheckConfig.DEFAULTS, false);
    public static final PassiveConfig NO_PASSIVE = new PassiveConfig(0, Duration.ofSeconds(30));

    private BalanceAlgorithm balance = BalanceAlgorithm.ROUND_ROBIN;
    private StickyConfig sticky = sticky(StickyKeyType.NONE);
    private final List<BackendConfig> backends = new ArrayList<>();
    private Duration idle = Duration.ofMinutes(5);
    private Duration grace = Duration.ofSeconds(5);
    private Duration connectTimeout = Duration.ofSeconds(2);
    private int retries = 2;
    private int maxConnections = 100_000;
    private int maxPerSource = 0;
    private HealthConfig health = NO_HEALTH_CHECKS;
    private PassiveConfig passive = NO_PASSIVE;
    private Duration slowStart = Duration.ZERO;
    private DrainConfig drain = DrainConfig.DEFAULTS;
    private AdminConfig admin;
    private StateConfig state = new StateConfig("local", null);

    public static TestConfigs builder() {
        return new TestConfigs();
    }

    public static StickyConfig sticky(StickyKeyType key) {
        return new StickyConfig(key, 24, 64, Duration.ofMinutes(30), 100_000);
    }

    public TestConfigs balance(BalanceAlgorithm b) {
        this.balance = b;
        if (b == BalanceAlgorithm.MAGLEV && sticky.key() == StickyKeyType.NONE) {
            sticky = sticky(StickyKeyType.SOURCE_IP);
        }
        return this;
    }

    public TestConfigs sticky(StickyConfig s) {
        this.sticky = s;
        return this;
    }

    public TestConfigs backend(TestBackend b) {
        return backend(b.name(), b.address(), 100);
    }

    public TestConfigs backend(TestBackend b, int weight) {
        return backend(b.name(), b.address(), weight);
    }

    public TestConfigs backend(String name, InetSocketAddress address, int weight) {
        backends.add(new BackendConfig(name, address, weight));
        return this;
    }

    public TestConfigs idle(Duration d) {
        this.idle = d;
        return this;
    }

    public TestConfigs shutdownGrace(Duration d) {
        this.grace = d;
        return this;
    }

    public TestConfigs connectTimeout(Duration d) {
        this.connectTimeout = d;
        return this;
    }

    public TestConfigs retries(int r) {
        this.retries = r;
        return this;
    }

    public TestConfigs limits(int max, int perSource) {
        this.maxConnections = max;
        this.maxPerSource = perSource;
        return this;
    }

    /** An admin listener on 127.0.0.1:0 whose bearer token is the content of {@code tokenFile} (null: read-only). */
    public TestConfigs admin(Path tokenFile) {
        this.admin = new AdminConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), tokenFile);
        return this;
    }

    /** Active health checks of the pool (default {@link #NO_HEALTH_CHECKS}). */
    public TestConfigs health(HealthConfig h) {
        this.health = h;
        return this;
    }

    /** An active check of {@code type} with these timings and the default HTTP settings. */
    public TestConfigs health(HealthCheckType type, Duration interval, Duration timeout, int rise, int fall) {
        return health(new HealthConfig(type, interval, timeout, rise, fall,
                HttpCheckConfig.DEFAULTS, false));
    }

    /** Passive ejection of the pool (default {@link #NO_PASSIVE}). */
    public TestConfigs passive(PassiveConfig p) {
        this.passive = p;
        return this;
    }

    public TestConfigs slowStart(Duration d) {
        this.slowStart = d;
        return this;
    }

    /** The pool's drain defaults (default {@link io.sluice.config.DrainConfig#DEFAULTS}). */
    public TestConfigs drain(DrainConfig d) {
        this.drain = d;
        return this;
    }

    /** The admin HTTP listener (default none). */
    public TestConfigs admin(AdminConfig a) {
        this.admin = a;
        return this;
    }

    /** Where admin overrides are kept (default: local, in memory only). */
    public TestConfigs state(StateConfig s) {
        this.state = s;
        return this;
    }

    private PoolDiscoverConfig discover;
    private DiscoveryConfig discovery;

    /** The pool also discovers backends ({@code pool.discover}) from {@code registries}. */
    public TestConfigs discover(PoolDiscoverConfig poolDiscover, DiscoveryConfig registries) {
        this.discover = poolDiscover;
        this.discovery = registries;
        return this;
    }

    public List<BackendConfig> backends() {
        return List.copyOf(backends);
    }

    public SluiceConfig build() {
        PoolConfig pool = new PoolConfig("main", balance, sticky, connectTimeout, retries, 65537,
                ProxyProtocolVersion.OFF, List.copyOf(backends),
                health, passive, slowStart, drain, discover);
        ListenerConfig listener = new ListenerConfig(
                "main", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ListenerMode.TCP, "main", null,
                List.of(), 1);
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        pools.put("main", pool);
        return new SluiceConfig("(test)", List.of(listener), pools,
                new TimeoutsConfig(idle, grace), new LimitsConfig(maxConnections, maxPerSource), admin, state, discovery);
    }
}
