package io.sluice.proxy;

import io.netty.util.AttributeKey;

/**
 * Marks a client channel that another process accepted and handed over in the middle of its
 * prelude: it was admitted there, so here it is counted without a second admission check, and it
 * keeps its original start time.
 */
final class HandedOver {

    /** When the other process accepted it, on the host's monotonic clock. */
    static final AttributeKey<Long> START_NANOS = AttributeKey.valueOf("sluice.handed-over.start");

    private HandedOver() {}
}
