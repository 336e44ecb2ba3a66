package io.sluice.harness;

import io.sluice.config.BackendConfig;
import io.sluice.config.BalanceAlgorithm;
import io.sluice.config.Cidr;
import io.sluice.config.DrainConfig;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerMode;
import io.sluice.config.NoSniAction;
import io.sluice.config.PoolConfig;
import io.sluice.config.ProxyProtocolVersion;
import io.sluice.config.RouteConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.config.StateConfig;
import io.sluice.config.StickyConfig;
import io.sluice.config.StickyKeyType;
import io.sluice.config.TimeoutsConfig;
import io.sluice.config.TlsListenerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds multi-pool configs as records for routing tests: one listener {@code main} on
 * 127.0.0.1:0, either tls (routes, default pool, not-tls...) or tcp to one pool.
 */
public final class TlsConfigs {

    private final List<RouteConfig> routes = new ArrayList<>();
    private final Map<String, PoolConfig> pools = new LinkedHashMap<>();
    private final List<Cidr> acceptProxy = new ArrayList<>();
    private String defaultPool;
    private NoSniAction noSni = NoSniAction.DEFAULT;
    private String notTlsPool;
    private Duration helloTimeout = Duration.ofSeconds(5);
    private int maxHello = 16 * 1024;
    private Duration serverFirst = Duration.ZERO;
    private String tcpPool;

    public static TlsConfigs tls() {
        return new TlsConfigs();
    }

    /** A tcp listener to {@code pool} (for PROXY protocol tests). */
    public static TlsConfigs tcp(String pool) {
        TlsConfigs c = new TlsConfigs();
        c.tcpPool = pool;
        return c;
    }

    public TlsConfigs route(String sni, String pool) {
        return route(sni, List.of(), pool);
    }

    public TlsConfigs route(String sni, List<String> alpn, String pool) {
        routes.add(new RouteConfig(sni, alpn, pool, routes.size() + 1));
        return this;
    }

    public TlsConfigs defaultPool(String pool) {
        this.defaultPool = pool;
        return this;
    }

    public TlsConfigs noSni(NoSniAction action) {
        this.noSni = action;
        return this;
    }

    public TlsConfigs notTls(String pool) {
        this.notTlsPool = pool;
        return this;
    }

    public TlsConfigs clientHelloTimeout(Duration d) {
        this.helloTimeout = d;
        return this;
    }

    public TlsConfigs maxClientHello(int bytes) {
        this.maxHello = bytes;
        return this;
    }

    public TlsConfigs serverFirstTimeout(Duration d) {
        this.serverFirst = d;
        return this;
    }

    public TlsConfigs acceptProxyProtocol(String cidr) {
        acceptProxy.add(Cidr.parse(cidr));
        return this;
    }

    /** A round-robin pool of the given backends (name, address), weight 100 each. */
    public TlsConfigs pool(String name, ProxyProtocolVersion sendProxy, Object... backends) {
        return pool(name, BalanceAlgorithm.ROUND_ROBIN, sendProxy, backends);
    }

    public TlsConfigs pool(String name, Object... backends) {
        return pool(name, BalanceAlgorithm.ROUND_ROBIN, ProxyProtocolVersion.OFF, backends);
    }

    /** backends: any of TestBackend, TlsBackend, ProxyProtocolBackend, SilentBackend. */
    public TlsConfigs pool(String name, BalanceAlgorithm balance, ProxyProtocolVersion sendProxy, Object... backends) {
        List<BackendConfig> list = new ArrayList<>();
        for (Object b : backends) {
            if (b instanceof TestBackend t) {
                list.add(new BackendConfig(t.name(), t.address(), 100));
            } else if (b instanceof TlsBackend t) {
                list.add(new BackendConfig(t.name(), t.address(), 100));
            } else if (b instanceof ProxyProtocolBackend p) {
                list.add(new BackendConfig(p.name(), p.address(), 100));
            } else if (b instanceof SilentBackend silent) {
                list.add(new BackendConfig("silent", silent.address(), 100));
            } else {
                throw new IllegalArgumentException("not a test backend: " + b);
            }
        }
        StickyConfig sticky = new StickyConfig(balance == BalanceAlgorithm.MAGLEV ? StickyKeyType.SOURCE_IP : StickyKeyType.NONE,
                24, 64, Duration.ofMinutes(30), 100_000);
        pools.put(name, new PoolConfig(name, balance, sticky, Duration.ofSeconds(2), 2, 65537, sendProxy, list,
                TestConfigs.NO_HEALTH_CHECKS, TestConfigs.NO_PASSIVE, Duration.ZERO, DrainConfig.DEFAULTS, null));
        return this;
    }

    public SluiceConfig build() {
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        ListenerConfig listener = tcpPool != null
                ? new ListenerConfig("main", bind, ListenerMode.TCP, tcpPool, null, acceptProxy, 1)
                : new ListenerConfig("main", bind, ListenerMode.TLS, null,
                        new TlsListenerConfig(routes, defaultPool, noSni, notTlsPool, helloTimeout, maxHello, serverFirst),
                        acceptProxy, 1);
        return new SluiceConfig("(test)", List.of(listener), pools,
                new TimeoutsConfig(Duration.ofMinutes(5), Duration.ofSeconds(5)), new LimitsConfig(100_000, 0), null, new StateConfig("local", null), null);
    }
}
