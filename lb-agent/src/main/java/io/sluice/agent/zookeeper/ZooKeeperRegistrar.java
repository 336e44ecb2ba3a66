package io.sluice.agent.zookeeper;

import io.sluice.agent.config.AgentConfig.ZooKeeperConfig;
import io.sluice.agent.config.ServiceConfig;
import io.sluice.agent.probe.AppProbe;
import io.sluice.agent.registrar.Registrar;
import io.sluice.registration.InstanceCodec;
import io.sluice.registration.InstancePayload;
import io.sluice.registry.zookeeper.ZooKeeperClient;
import java.io.IOException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.CloseableUtils;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceInstanceBuilder;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service instance as an ephemeral node {@code basePath/name/id} (Curator's service discovery
 * recipe, the layout the daemon's ZooKeeperDiscovery watches). The node lives as long as this
 * client's session: a crashed agent's instance disappears after the session timeout, and Curator
 * registers it again by itself after a reconnect with a new session.
 *
 * <p>ZooKeeper has no health checks, so the probe decides whether the node exists: after
 * {@link #FALL} failed probes in a row the instance is unregistered (the daemon drains it as gone:
 * no new connections, the open ones get the pool's drain deadline), and after {@link #RISE} passing
 * probes in a row it is registered again. Both are logged. (Consul's TTL check allows three
 * intervals too before an agent that stopped reporting turns critical.)
 *
 * <p>Maintenance is the payload's flag. {@code sluice-agent drain} in another process rewrites the
 * node directly ({@link #setMaintenanceFlag}); the running agent notices at its next report and adopts
 * the flag, so a later re-registration keeps it.
 */
public final class ZooKeeperRegistrar implements Registrar {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperRegistrar.class);
    static final long CONNECT_TIMEOUT_MS = 15_000;
    /** Failed probes in a row that withdraw the instance. */
    public static final int FALL = 3;
    /** Passing probes in a row that register a withdrawn instance again. */
    public static final int RISE = 2;

    private final ZooKeeperClient zooKeeper;
    private final CuratorFramework client;
    private final ServiceDiscovery<InstancePayload> discovery;
    private final String path;
    private ServiceInstance<InstancePayload> instance;
    private boolean registered;
    /** Unregistered because the probe failed {@link #FALL} times; registered again after {@link #RISE} passes. */
    private boolean withdrawn;
    private int failuresInARow;
    private int passesInARow;

    private ZooKeeperRegistrar(ZooKeeperClient zooKeeper, ServiceDiscovery<InstancePayload> discovery,
            ServiceInstance<InstancePayload> instance, String path) {
        this.zooKeeper = zooKeeper;
        this.client = zooKeeper.curator();
        this.discovery = discovery;
        this.instance = instance;
        this.path = path;
    }

    /** Connects (waiting up to 15 s); does not register yet. */
    public static ZooKeeperRegistrar connect(ZooKeeperConfig config, ServiceConfig service) throws Exception {
        ZooKeeperClient c = startClient(config, "sluice-agent-zk-" + service.id());
        try {
            ServiceInstance<InstancePayload> instance = ServiceInstance.<InstancePayload>builder()
                    .name(service.name())
                    .id(service.id())
                    .address(service.address())
                    .port(service.port())
                    .payload(new InstancePayload(service.weight(), false))
                    .serviceType(ServiceType.DYNAMIC)
                    .build();
            ServiceDiscovery<InstancePayload> discovery = ServiceDiscoveryBuilder.builder(InstancePayload.class)
                    .client(c.curator())
                    .basePath(config.basePath())
                    .serializer(new InstanceCodec())
                    .watchInstances(false)
                    .build();
            discovery.start();
            String path = ZKPaths.makePath(config.basePath(), service.name(), service.id());
            return new ZooKeeperRegistrar(c, discovery, instance, path);
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return instance.getId();
    }

    @Override
    public synchronized void register() throws Exception {
        discovery.registerService(instance);
        registered = true;
        log.info("registered {} ({}:{}) in ZooKeeper at {} (weight {})", instance.getId(), instance.getAddress(),
                instance.getPort(), path, instance.getPayload().weight());
    }

    /**
     * The probe withdraws the instance after {@link #FALL} failures in a row and brings it back after
     * {@link #RISE} passes. While it is registered, the node is checked: a maintenance flag set by
     * {@code sluice-agent drain} is adopted, and a node deleted behind the agent's back is written again.
     */
    @Override
    public synchronized void report(AppProbe.Result result) throws Exception {
        if (!registered) {
            return;
        }
        failuresInARow = result.up() ? 0 : failuresInARow + 1;
        passesInARow = result.up() ? passesInARow + 1 : 0;
        if (withdrawn) {
            if (passesInARow >= RISE) {
                discovery.registerService(instance);
                withdrawn = false;
                log.info("{}: the probe passes again ({}); registered in ZooKeeper again", instance.getId(),
                        result.detail());
            }
            return;
        }
        if (failuresInARow >= FALL) {
            discovery.unregisterService(instance);
            withdrawn = true;
            log.warn("{}: the probe failed {} times in a row ({}); unregistered from ZooKeeper until it passes {} times",
                    instance.getId(), failuresInARow, result.detail(), RISE);
            return;
        }
        byte[] data;
        try {
            data = client.getData().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            log.warn("{} is gone from ZooKeeper; registering it again", instance.getId());
            discovery.registerService(instance);
            return;
        }
        InstancePayload seen = new InstanceCodec().deserialize(data).getPayload();
        if (seen != null && seen.maintenance() != instance.getPayload().maintenance()) {
            log.info("{}: maintenance {} (set from outside)", instance.getId(), seen.maintenance() ? "on" : "off");
            update(seen.maintenance());
        }
    }

    @Override
    public synchronized void maintenance(boolean enable, String reason) throws Exception {
        update(enable);
        log.info("{}: maintenance {}", instance.getId(), enable ? "on" : "off");
    }

    private void update(boolean maintenance) throws Exception {
        ServiceInstance<InstancePayload> updated = ServiceInstance.<InstancePayload>builder()
                .name(instance.getName())
                .id(instance.getId())
                .address(instance.getAddress())
                .port(instance.getPort())
                .payload(instance.getPayload().withMaintenance(maintenance))
                .serviceType(instance.getServiceType())
                .registrationTimeUTC(instance.getRegistrationTimeUTC())
                .build();
        if (registered && !withdrawn) {
            discovery.updateService(updated);
        }
        instance = updated; // a withdrawn instance comes back with it
    }

    /** Whether the instance is in maintenance, as this agent last wrote or saw it. */
    public synchronized boolean inMaintenance() {
        return instance.getPayload().maintenance();
    }

    @Override
    public synchronized void deregister() throws Exception {
        if (registered) {
            registered = false;
            if (withdrawn) {
                withdrawn = false;
                return; // already gone from ZooKeeper
            }
            discovery.unregisterService(instance);
            log.info("deregistered {} from ZooKeeper", instance.getId());
        }
    }

    @Override
    public void close() {
        try {
            CloseableUtils.closeQuietly(discovery);
        } catch (RuntimeException e) {
            // the client is already closed: the node went with its session
        }
        zooKeeper.close();
    }

    /**
     * For {@code drain} / {@code ready} from another process: rewrites the payload's maintenance flag
     * of the node another agent registered. The node stays ephemeral to that agent's session.
     *
     * @throws IOException when the instance is not registered
     */
    public static void setMaintenanceFlag(ZooKeeperConfig config, ServiceConfig service, boolean maintenance)
            throws Exception {
        ZooKeeperClient c = startClient(config, "sluice-agent-zk-cli");
        CuratorFramework client = c.curator();
        try {
            String path = ZKPaths.makePath(config.basePath(), service.name(), service.id());
            InstanceCodec serializer = new InstanceCodec();
            for (int attempt = 0; ; attempt++) {
                Stat stat = new Stat();
                byte[] data;
                try {
                    data = client.getData().storingStatIn(stat).forPath(path);
                } catch (KeeperException.NoNodeException e) {
                    throw new IOException(service.id() + " is not registered in ZooKeeper (no node " + path
                            + "); is sluice-agent run going?");
                }
                ServiceInstance<InstancePayload> old = serializer.deserialize(data);
                InstancePayload p = old.getPayload() == null ? new InstancePayload(service.weight(), false) : old.getPayload();
                ServiceInstanceBuilder<InstancePayload> b = ServiceInstance.<InstancePayload>builder()
                        .name(old.getName()).id(old.getId()).address(old.getAddress()).uriSpec(old.getUriSpec())
                        .payload(p.withMaintenance(maintenance))
                        .serviceType(old.getServiceType()).registrationTimeUTC(old.getRegistrationTimeUTC());
                if (old.getPort() != null) {
                    b.port(old.getPort());
                }
                if (old.getSslPort() != null) {
                    b.sslPort(old.getSslPort());
                }
                ServiceInstance<InstancePayload> updated = b.build();
                try {
                    client.setData().withVersion(stat.getVersion()).forPath(path, serializer.serialize(updated));
                    return;
                } catch (KeeperException.BadVersionException e) {
                    if (attempt >= 5) {
                        throw e;
                    }
                }
            }
        } finally {
            c.close();
        }
    }

    /** Connects with the patient retry policy every long-lived registry client uses (lb-registry's ZooKeeperClient). */
    private static ZooKeeperClient startClient(ZooKeeperConfig config, String threadName) throws Exception {
        try {
            return ZooKeeperClient.connect(config.connect(), threadName, ZooKeeperClient.Retry.PATIENT, CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            throw new IOException("no connection to ZooKeeper at " + config.connect() + " within "
                    + CONNECT_TIMEOUT_MS / 1000 + " s", e);
        }
    }
}
