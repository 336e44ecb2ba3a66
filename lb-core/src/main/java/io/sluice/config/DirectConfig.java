package io.sluice.config;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code direct} section: listeners whose packets the kernel forwards (nftables, direct
 * routing) while Sluice only programs it. See docs/direct-routing.md.
 *
 * @param table             the one nftables table (family {@code ip}) Sluice owns; nothing else is touched
 * @param removeTableOnStop whether a graceful stop deletes the table (default false: the kernel keeps
 *                          forwarding on the last table while the daemon is away, as after a crash)
 * @param hashSeed          the flow hash's seed; every node behind one VIP must use the same value
 * @param rulePriority      priority of the {@code ip rule}s Sluice adds (one per backend); Sluice owns
 *                          every fwmark rule at this priority
 * @param listeners         in file order, names unique, no two on the same VIP, protocol and port
 */
public record DirectConfig(String table, boolean removeTableOnStop, long hashSeed, int rulePriority,
                           List<DirectListenerConfig> listeners) {

    /** nft identifiers: a letter, then letters, digits and underscores (we keep room for suffixes). */
    public static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");
    public static final String DEFAULT_TABLE = "sluice";
    /** Any fixed value works; it only has to be the same on every node. */
    public static final long DEFAULT_HASH_SEED = 0x51C3L;
    public static final int DEFAULT_RULE_PRIORITY = 1000;

    public DirectConfig {
        Objects.requireNonNull(table, "table");
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("invalid nft table name: " + table);
        }
        if (hashSeed < 0 || hashSeed > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("hash seed is 32 bits: " + hashSeed);
        }
        listeners = List.copyOf(listeners);
    }
}
