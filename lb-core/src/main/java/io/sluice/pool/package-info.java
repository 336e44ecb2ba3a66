/**
 * Pools: named backend sets, their immutable snapshots, and the pick of a backend for a client.
 * Entry type: {@link io.sluice.pool.Pool}.
 */
package io.sluice.pool;
