package io.sluice.adminapi;

/**
 * One of a backend's two drains, as the admin API shows it: the operator's ({@code operator_drain})
 * or the registry's ({@code registry_drain}). Either keeps the backend from new connections; undoing
 * one leaves the other in force.
 *
 * @param state    operator: "drain" or "maint"; registry: its cause ("discovery: maintenance mode",
 *                 "discovery: critical", "discovery: gone from the registry")
 * @param by       who set it: "admin api", "shared state store", "restored from state file",
 *                 "sluice-agent on HOST (instance ID ...)", "consul _service_maintenance:ID (...)"
 * @param since    ISO-8601 time it started (as this node saw it)
 * @param reason   the reason text given with it, or null
 * @param deadline ISO-8601 time when the connections still open get closed, or null
 */
public record DrainView(String state, String by, String since, String reason, String deadline) {}
