package io.sluice.discovery.zookeeper;

import io.netty.util.NetUtil;
import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.DiscoveredBackend.Status;
import io.sluice.registration.InstancePayload;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import org.apache.curator.x.discovery.ServiceInstance;

/**
 * Maps a Curator service instance onto a {@link DiscoveredBackend}. Only IP literals are accepted
 * as addresses: the mapping runs for every cache change and must not wait on DNS, and registrations
 * made by Curator (and by {@link ZooKeeperRegistration}) carry IPs. An instance with a host name, no
 * port or no id is skipped, and {@link #problem} says why.
 */
final class InstanceMapper {

    static final int MAX_WEIGHT = 1000;

    private InstanceMapper() {}

    /** The backend, or null when the instance is unusable (see {@link #problem}). */
    static DiscoveredBackend toBackend(ServiceInstance<InstancePayload> instance) {
        if (problem(instance) != null) {
            return null;
        }
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(instance.getAddress());
        InstancePayload payload = instance.getPayload() == null ? InstancePayload.defaults() : instance.getPayload();
        int weight = Math.max(0, Math.min(MAX_WEIGHT, payload.weight()));
        Status status = payload.maintenance() ? Status.MAINTENANCE : Status.PASSING;
        return new DiscoveredBackend(instance.getId(), new InetSocketAddress(ip, instance.getPort()), weight, status,
                payload.maintenance() ? drainedBy(instance, payload) : null,
                payload.maintenance() ? payload.maintenanceReason() : null);
    }

    /** Who put the instance in maintenance: the agent's note, else the instance as ZooKeeper has it. */
    private static String drainedBy(ServiceInstance<InstancePayload> instance, InstancePayload payload) {
        String who = payload.maintenanceBy() != null ? payload.maintenanceBy() : "maintenance flag in ZooKeeper";
        String since = payload.maintenanceSince() == null ? "" : " at " + Instant.ofEpochMilli(payload.maintenanceSince());
        return who + " (instance " + instance.getId() + since + ")";
    }

    /** Why the instance cannot be used, or null when it can. */
    static String problem(ServiceInstance<InstancePayload> instance) {
        if (instance.getId() == null || instance.getId().isEmpty()) {
            return "no instance id";
        }
        String address = instance.getAddress();
        if (address == null || NetUtil.createByteArrayFromIpAddressString(address) == null) {
            return "address " + address + " is not an IP literal (host names are not resolved)";
        }
        Integer port = instance.getPort();
        if (port == null || port < 1 || port > 65535) {
            return "port " + port + " (expected 1..65535)";
        }
        return null;
    }
}
