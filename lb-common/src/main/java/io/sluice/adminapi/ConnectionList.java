package io.sluice.adminapi;

import java.util.List;

/**
 * The body of GET /api/v1/connections.
 *
 * @param connections newest first, at most the request's limit
 * @param total       every live connection matching the filter, listed or not
 */
public record ConnectionList(List<ConnectionView> connections, long total) {}
