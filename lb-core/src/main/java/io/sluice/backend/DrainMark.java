package io.sluice.backend;

import java.time.Instant;

/**
 * One drain of a backend as the operator sees it: who set it, when, why, and until when. A backend
 * carries two, independently: the operator's (admin API, shared store, state file) and the
 * registry's (the agent's maintenance, critical, gone); either keeps it from new connections.
 *
 * @param by       who set it: "admin api", "shared state store", "sluice-agent on HOST (instance ID)", ...
 * @param since    when it started here
 * @param reason   the reason text given with it, or null
 * @param deadline when the connections still open get closed, or null (they run on)
 */
public record DrainMark(String by, Instant since, String reason, Instant deadline) {}
