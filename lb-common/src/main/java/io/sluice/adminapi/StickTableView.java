package io.sluice.adminapi;

import java.util.List;

/**
 * A pool's stick table on this node (GET /api/v1/pools/{pool}/stick-table; HAProxy's
 * {@code show table}).
 *
 * @param routes   whether entries decide where new connections go: false with Maglev (the table
 *                 decides, the same on every node), true with the other balancers
 * @param size     entries in the table (the listing is cut at the request's limit)
 * @param capacity the pool's {@code sticky.table-size}
 * @param cleared  for POST .../stick-table/clear: how many entries were forgotten; null otherwise
 */
public record StickTableView(String pool, String balance, boolean routes, int size, int capacity, List<Entry> entries,
                             Integer cleared) {

    /**
     * @param key  the sticky key (address or prefix)
     * @param pins open connections using it
     */
    public record Entry(String key, String backend, int pins, long idleSeconds) {}
}
