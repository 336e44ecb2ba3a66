package io.sluice.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A named set of backends and how to choose among them.
 *
 * @param name            the pool's key under {@code pools}
 * @param balance         the balancing algorithm
 * @param sticky          client stickiness; {@link StickyConfig#NONE} when off
 * @param connectTimeout  how long a connect to one backend may take, in (0, 5m]
 * @param retries         how many failed connects are retried on another backend, 0..10
 * @param maglevTableSize Maglev lookup table size, a prime; used only by {@link BalanceAlgorithm#MAGLEV}
 * @param sendProxyProtocol whether a PROXY protocol header (and which version) starts every backend connection
 * @param backends        in file order, unmodifiable, names unique
 * @param health          active health check
 * @param passive         passive health (connect failures of real traffic)
 * @param slowStart       a backend that becomes eligible ramps its weight up over this; ZERO = off
 * @param drain           drain defaults (deadline, close rate)
 * @param discover        where backends are discovered besides the static ones, or null
 */
public record PoolConfig(String name, BalanceAlgorithm balance, StickyConfig sticky, Duration connectTimeout,
                         int retries, int maglevTableSize, ProxyProtocolVersion sendProxyProtocol,
                         List<BackendConfig> backends, HealthConfig health, PassiveConfig passive,
                         Duration slowStart, DrainConfig drain, PoolDiscoverConfig discover) {

    public PoolConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(sticky, "sticky");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(sendProxyProtocol, "sendProxyProtocol");
        backends = List.copyOf(backends);
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(passive, "passive");
        Objects.requireNonNull(slowStart, "slowStart");
        Objects.requireNonNull(drain, "drain");
    }
}
