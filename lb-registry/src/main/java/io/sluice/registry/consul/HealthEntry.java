package io.sluice.registry.consul;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One entry of {@code /v1/health/service/<name>}, reduced to what a load balancer reads. Built by
 * {@link HealthResponse#parse}, which accepts every shape real Consul sends: {@code TaggedAddresses} with
 * only {@code lan} or none at all (nodes registered through {@code /v1/catalog/register}), null
 * {@code Meta}, {@code Tags} or {@code Checks}, an empty {@code Service.Address}, IPv6 literals, and
 * fields this record does not know.
 *
 * @param serviceId      {@code Service.ID}, never empty
 * @param serviceAddress {@code Service.Address}; empty when the service was registered without one
 * @param nodeAddress    {@code Node.Address}; empty when absent
 * @param port           {@code Service.Port}
 * @param meta           {@code Service.Meta}; empty when null
 * @param weights        {@code Service.Weights}; empty when absent (Consul before 1.2.3)
 * @param checks         the node's and the service's checks; empty when null
 */
public record HealthEntry(String serviceId, String serviceAddress, String nodeAddress, int port,
                          Map<String, String> meta, Optional<Weights> weights, List<Check> checks) {

    /** {@code Service.Weights}. */
    public record Weights(int passing, int warning) {
    }

    /**
     * One check: {@code CheckID}, {@code Status} (passing, warning, critical) and {@code Notes} (for a
     * maintenance check, the reason given when it was enabled; "" when none).
     */
    public record Check(String checkId, String status, String notes) {
        public Check(String checkId, String status) {
            this(checkId, status, "");
        }
    }
}
