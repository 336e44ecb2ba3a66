package io.sluice.discovery.consul;

import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.DiscoveredBackend.Status;
import io.sluice.registration.ConsulServiceMeta;
import io.sluice.registry.consul.HealthEntry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps entries of {@code /v1/health/service/<name>} (as lb-registry reads them) onto {@link DiscoveredBackend}s. Stateless. */
final class HealthEntries {

    /** The service meta key read when Consul gives no Weights (Consul before 1.2.3, or a proxy of it). */
    static final String WEIGHT_META_KEY = ConsulServiceMeta.WEIGHT_KEY;
    static final int DEFAULT_WEIGHT = 100;
    static final int MAX_WEIGHT = 1000;

    private static final Logger log = LoggerFactory.getLogger(HealthEntries.class);
    private static final String SERVICE_MAINTENANCE_PREFIX = "_service_maintenance:";
    private static final String NODE_MAINTENANCE = "_node_maintenance";

    private HealthEntries() {
    }

    /** The whole set, sorted by name so equal sets compare equal; entries without a usable address are left out. */
    static List<DiscoveredBackend> map(List<HealthEntry> entries) {
        List<DiscoveredBackend> out = new ArrayList<>(entries.size());
        for (HealthEntry entry : entries) {
            DiscoveredBackend backend = map(entry);
            if (backend != null) {
                out.add(backend);
            }
        }
        out.sort(Comparator.comparing(DiscoveredBackend::name));
        return List.copyOf(out);
    }

    /** One entry, or null when its address is empty or does not resolve. */
    static DiscoveredBackend map(HealthEntry entry) {
        String host = entry.serviceAddress();
        if (host.isEmpty()) {
            // Consul's documented fallback: a service registered without an address lives at its node's.
            host = entry.nodeAddress();
        }
        if (host.isEmpty()) {
            log.debug("Consul service {} has no address (nor its node); left out", entry.serviceId());
            return null;
        }
        // Registries give IP literals, which InetSocketAddress takes without a lookup. A name is
        // resolved here, on the watch thread, never on an event loop.
        InetSocketAddress address = new InetSocketAddress(host, entry.port());
        if (address.isUnresolved()) {
            log.debug("Consul service {}: address {} does not resolve; left out", entry.serviceId(), host);
            return null;
        }
        Status status = status(entry.checks(), entry.serviceId());
        HealthEntry.Check maintenance = status == Status.MAINTENANCE ? maintenanceCheck(entry.checks(), entry.serviceId()) : null;
        return new DiscoveredBackend(entry.serviceId(), address, weight(entry, status), status,
                maintenance == null ? null : "consul " + maintenance.checkId() + " (instance " + entry.serviceId()
                        + ", node " + entry.nodeAddress() + ")",
                maintenance == null || maintenance.notes().isEmpty() ? null : maintenance.notes());
    }

    /** The maintenance check (node's or service's) that puts the service in maintenance, or null. */
    private static HealthEntry.Check maintenanceCheck(List<HealthEntry.Check> checks, String serviceId) {
        for (HealthEntry.Check check : checks) {
            if (NODE_MAINTENANCE.equals(check.checkId()) || (SERVICE_MAINTENANCE_PREFIX + serviceId).equals(check.checkId())) {
                return check;
            }
        }
        return null;
    }

    /**
     * Maintenance first: Consul reports its maintenance check as critical, and maintenance means
     * drain (not the critical drain deadline). Then critical, then warning, else passing. Node-level
     * checks (serfHealth, node maintenance) count too, as Consul's own {@code ?passing} does.
     */
    static Status status(List<HealthEntry.Check> checks, String serviceId) {
        boolean critical = false;
        boolean warning = false;
        for (HealthEntry.Check check : checks) {
            String id = check.checkId();
            if (NODE_MAINTENANCE.equals(id) || (SERVICE_MAINTENANCE_PREFIX + serviceId).equals(id)) {
                return Status.MAINTENANCE;
            }
            String s = check.status();
            if ("critical".equalsIgnoreCase(s)) {
                critical = true;
            } else if ("warning".equalsIgnoreCase(s)) {
                warning = true;
            }
        }
        return critical ? Status.CRITICAL : warning ? Status.WARNING : Status.PASSING;
    }

    /**
     * Weights.Passing (Weights.Warning while warning); else the {@code sluice-weight} meta key; else
     * 100. Clamped to 0..1000. Note: Consul 1.2.3+ fills in Weights {Passing: 1, Warning: 1} for a
     * service registered without them, so against a current Consul the meta key and the default
     * only apply when Weights is absent from the response.
     */
    static int weight(HealthEntry entry, Status status) {
        if (entry.weights().isPresent()) {
            HealthEntry.Weights w = entry.weights().get();
            return clamp(status == Status.WARNING ? w.warning() : w.passing());
        }
        String meta = entry.meta().get(WEIGHT_META_KEY);
        if (meta != null) {
            try {
                return clamp(Integer.parseInt(meta.trim()));
            } catch (NumberFormatException e) {
                log.debug("Consul service {}: {}={} is not a number; weight {}", entry.serviceId(), WEIGHT_META_KEY, meta,
                        DEFAULT_WEIGHT);
            }
        }
        return DEFAULT_WEIGHT;
    }

    private static int clamp(int weight) {
        return Math.max(0, Math.min(MAX_WEIGHT, weight));
    }
}
