/**
 * The admin API's contract (docs/admin-api.md): the records the daemon writes and sluicectl reads
 * ({@link io.sluice.adminapi.StatusView}, {@link io.sluice.adminapi.PoolView},
 * {@link io.sluice.adminapi.BackendView}, {@link io.sluice.adminapi.ExplainView}...), the RFC 9457
 * {@link io.sluice.adminapi.Problem} and its {@link io.sluice.adminapi.ProblemType}s, and the JSON
 * conventions of {@link io.sluice.adminapi.AdminJson}.
 */
package io.sluice.adminapi;
