package io.sluice.adminapi;

import java.util.List;

/** The body of GET /api/v1/pools. */
public record PoolList(List<PoolView> pools) {}
