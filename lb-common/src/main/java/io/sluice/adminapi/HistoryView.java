package io.sluice.adminapi;

import java.util.List;

/**
 * {@code GET /api/v1/history}: the daemon's recent traffic per backend, sampled every
 * {@code sampleSeconds}, oldest first, at most {@code capacity} samples (the status page's charts).
 *
 * @param sampleSeconds seconds between two samples
 * @param capacity      samples kept per backend
 */
public record HistoryView(int sampleSeconds, int capacity, List<Series> series) {

    /**
     * One backend's samples; the lists are parallel.
     *
     * @param at                   epoch seconds of each sample
     * @param connections          connections open at the sample
     * @param connectionsPerSecond new connections per second since the sample before
     * @param bytesPerSecond       bytes per second both ways (closed and open connections) since the sample before
     */
    public record Series(String pool, String backend, List<Long> at, List<Integer> connections,
                         List<Double> connectionsPerSecond, List<Double> bytesPerSecond) {}
}
