package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Client stickiness of a pool.
 *
 * @param key       what identifies a client
 * @param prefixV4  IPv4 prefix length for {@link StickyKeyType#SOURCE_PREFIX}, 0..32
 * @param prefixV6  IPv6 prefix length for {@link StickyKeyType#SOURCE_PREFIX}, 0..128
 * @param tableTtl  how long an idle stick-table entry is kept after its last connection closed; positive
 * @param tableSize maximum stick-table entries per node; the oldest is evicted beyond it
 */
public record StickyConfig(StickyKeyType key, int prefixV4, int prefixV6, Duration tableTtl, int tableSize) {

    public static final int DEFAULT_PREFIX_V4 = 24;
    public static final int DEFAULT_PREFIX_V6 = 64;
    public static final Duration DEFAULT_TABLE_TTL = Duration.ofMinutes(30);
    public static final int DEFAULT_TABLE_SIZE = 100_000;

    /** No stickiness, other settings at their defaults. */
    public static final StickyConfig NONE = new StickyConfig(
            StickyKeyType.NONE, DEFAULT_PREFIX_V4, DEFAULT_PREFIX_V6, DEFAULT_TABLE_TTL, DEFAULT_TABLE_SIZE);

    public StickyConfig {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tableTtl, "tableTtl");
    }
}
