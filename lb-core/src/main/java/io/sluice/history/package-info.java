/**
 * Recent traffic per backend for the status page's charts: {@link io.sluice.history.TrafficHistory}
 * samples connections and bytes every few seconds into a bounded ring per backend and answers the
 * admin API's {@code GET /api/v1/history}.
 */
package io.sluice.history;
