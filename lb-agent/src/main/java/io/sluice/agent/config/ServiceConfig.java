package io.sluice.agent.config;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;

/**
 * One service instance the agent registers.
 *
 * @param name            the service name (the daemon's {@code discover.*.service})
 * @param id              the instance id, unique in the registry: default {@code name-hostname-port}
 * @param address         the address the load balancer connects to (an IP literal for ZooKeeper)
 * @param port            1..65535
 * @param tags            Consul tags (ignored by ZooKeeper)
 * @param weight          0..1000, default 100
 * @param check           how the local app is probed
 * @param drainOnShutdown how long {@code run} stays in maintenance before deregistering on SIGTERM
 * @param directVips      VIPs of Sluice direct listeners whose pool this service is in: {@code run} holds
 *                        them on {@code lo} (with the ARP settings) while it runs; empty for proxy pools
 */
public record ServiceConfig(String name, String id, String address, int port, List<String> tags, int weight,
        CheckConfig check, Duration drainOnShutdown, List<Inet4Address> directVips) {

    public static final int DEFAULT_WEIGHT = 100;
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(30);

    public ServiceConfig {
        tags = List.copyOf(tags);
        directVips = List.copyOf(directVips);
    }

    /** A service of a proxy pool (no direct VIPs). */
    public ServiceConfig(String name, String id, String address, int port, List<String> tags, int weight,
                         CheckConfig check, Duration drainOnShutdown) {
        this(name, id, address, port, tags, weight, check, drainOnShutdown, List.of());
    }
}
