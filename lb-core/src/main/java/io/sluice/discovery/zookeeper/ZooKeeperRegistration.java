package io.sluice.discovery.zookeeper;

import io.sluice.registration.InstanceCodec;
import io.sluice.registration.InstancePayload;
import io.sluice.registry.zookeeper.ZooKeeperClient;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.CloseableUtils;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;

/**
 * One instance registering itself for {@link ZooKeeperDiscovery} to find: an ephemeral node
 * {@code basePath/service/id} holding the instance as JSON with an {@link InstancePayload}. Owns its
 * own Curator client (its own session), as an agent beside a backend would.
 *
 * <p>Session loss: the node is ephemeral, so it disappears when this client's session ends (expiry or
 * close). Curator's service discovery registers it again on every CONNECTED/RECONNECTED, so after a
 * session expiry it comes back with the new session, with the latest payload set here.
 *
 * <p>Calls block until ZooKeeper answers (or Curator's retries give up); use them from an agent or a
 * test, never from an event loop.
 */
public final class ZooKeeperRegistration implements AutoCloseable {

    private final ZooKeeperClient client;
    private final ServiceDiscovery<InstancePayload> discovery;
    private ServiceInstance<InstancePayload> instance;
    private boolean registered;

    private ZooKeeperRegistration(ZooKeeperClient client, ServiceDiscovery<InstancePayload> discovery,
            ServiceInstance<InstancePayload> instance) {
        this.client = client;
        this.discovery = discovery;
        this.instance = instance;
    }

    /**
     * Connects (waiting up to {@code connectTimeoutMs}) and registers the instance.
     *
     * @param address an IP literal; {@link ZooKeeperDiscovery} does not resolve host names
     * @throws Exception when ZooKeeper cannot be reached in time or refuses the node
     */
    public static ZooKeeperRegistration register(String connectString, String basePath, String service,
            String id, String address, int port, InstancePayload payload, int sessionTimeoutMs,
            long connectTimeoutMs) throws Exception {
        Objects.requireNonNull(payload, "payload");
        ZooKeeperClient client = ZooKeeperClient.build(connectString, "sluice-zk-registration-" + id,
                ZooKeeperClient.Retry.PATIENT, sessionTimeoutMs, (int) Math.max(1, Math.min(15_000, connectTimeoutMs)));
        ServiceDiscovery<InstancePayload> discovery = null;
        try {
            client.start();
            client.awaitConnected(connectTimeoutMs);
            ServiceInstance<InstancePayload> instance = ServiceInstance.<InstancePayload>builder()
                    .name(service)
                    .id(id)
                    .address(address)
                    .port(port)
                    .payload(payload)
                    .serviceType(ServiceType.DYNAMIC)
                    .build();
            discovery = ServiceDiscoveryBuilder.builder(InstancePayload.class)
                    .client(client.curator())
                    .basePath(basePath)
                    .serializer(new InstanceCodec())
                    .build();
            discovery.start();
            discovery.registerService(instance);
            ZooKeeperRegistration registration = new ZooKeeperRegistration(client, discovery, instance);
            registration.registered = true;
            return registration;
        } catch (Exception | Error e) {
            CloseableUtils.closeQuietly(discovery);
            client.close();
            throw e;
        }
    }

    /** The registered instance's id. */
    public String id() {
        return instance.getId();
    }

    /** Sets the maintenance flag in the payload (the node is rewritten; watchers see an update). */
    public synchronized void setMaintenance(boolean maintenance) throws Exception {
        ServiceInstance<InstancePayload> updated = ServiceInstance.<InstancePayload>builder()
                .name(instance.getName())
                .id(instance.getId())
                .address(instance.getAddress())
                .port(instance.getPort())
                .payload(instance.getPayload().withMaintenance(maintenance))
                .serviceType(instance.getServiceType())
                .registrationTimeUTC(instance.getRegistrationTimeUTC())
                .build();
        discovery.updateService(updated);
        instance = updated;
    }

    /** Removes the instance's node; the client stays open (see {@link #close}). Safe twice. */
    public synchronized void unregister() throws Exception {
        if (registered) {
            registered = false;
            discovery.unregisterService(instance);
        }
    }

    /** The client, for tests that expire its session. */
    CuratorFramework client() {
        return client.curator();
    }

    /** Closes the client; the ephemeral node goes with the session. Safe twice. */
    @Override
    public void close() {
        try {
            CloseableUtils.closeQuietly(discovery);
        } catch (RuntimeException e) {
            // the client was already closed: the node went with its session
        }
        client.close();
    }
}
