package io.sluice.balance;

import io.sluice.backend.Backend;
import java.util.Collection;

/** {@link Balancer} view of a {@link MaglevTable}: the key's slot, or the next non-excluded one. */
final class MaglevBalancer implements Balancer {

    private final MaglevTable table;

    MaglevBalancer(MaglevTable table) {
        this.table = table;
    }

    @Override
    public Backend pick(long keyHash, Collection<Backend> excluded) {
        return table.lookup(keyHash, excluded);
    }
}
