package io.sluice.state;

/**
 * An override as a shared store holds it, with the store's version of the key: ZooKeeper's
 * modification zxid ({@code mzxid}), Consul's {@code ModifyIndex}. Versions of one key only grow, so
 * the larger version is the later write. {@link AdminOverride#NONE} with a version is a key known to be
 * absent (never written: version 0; removed: the version of the node that was removed).
 */
record Stored(AdminOverride value, long version) {

    static final Stored ABSENT = new Stored(AdminOverride.NONE, 0);

    boolean absent() {
        return value.isNone();
    }
}
