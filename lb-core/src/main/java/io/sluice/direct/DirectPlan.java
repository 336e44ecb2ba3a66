package io.sluice.direct;

import java.util.List;
import java.util.Objects;

/**
 * Everything Sluice wants in its nft table and policy routes at one moment: one {@link ServicePlan}
 * per direct listener. Immutable; {@link NftScript} turns it into one transaction.
 *
 * @param table        the nft table (family ip) Sluice owns
 * @param hashSeed     the flow hash's seed, the same on every node
 * @param rulePriority the priority of Sluice's {@code ip rule}s
 * @param services     in config order
 */
public record DirectPlan(String table, long hashSeed, int rulePriority, List<ServicePlan> services) {

    public DirectPlan {
        Objects.requireNonNull(table, "table");
        services = List.copyOf(services);
    }
}
