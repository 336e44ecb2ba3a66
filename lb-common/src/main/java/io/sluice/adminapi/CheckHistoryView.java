package io.sluice.adminapi;

/**
 * A backend's health over time, as the admin API shows it (beside the last check in {@code BackendView}).
 *
 * @param lastChange      ISO-8601 time health last changed (up to down or back), or null when it has not
 *                        since the daemon started
 * @param downtimeSeconds time spent down since the daemon started, the current down period included
 * @param checksPassed    active checks that passed since start
 * @param checksFailed    active checks that failed since start
 */
public record CheckHistoryView(String lastChange, long downtimeSeconds, long checksPassed, long checksFailed) {}
