package io.sluice.adminapi;

import java.util.Map;

/** @param details per-check booleans and numbers, e.g. {"listeners_bound": true, "pools_ready": true} */
public record Readiness(boolean ready, Map<String, Object> details) {}
