/**
 * Metrics of the daemon (Micrometer): connections, refusals, connect failures, bytes.
 * Entry type: {@link io.sluice.metrics.ProxyMetrics}.
 */
package io.sluice.metrics;
