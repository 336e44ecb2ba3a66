/**
 * Draining, end to end: {@link io.sluice.drain.Drains} arms a drained backend's deadline (an
 * operator's drain or maint, or a {@link io.sluice.drain.RegistryDrain}: maintenance, critical,
 * gone) and closes what is left then through {@link io.sluice.drain.PacedCloser}, at a capped,
 * jittered rate. The state a drain sets lives on the backend ({@code backend.AdminState},
 * {@code Backend.State#registryDrain}), the defaults in {@code config.DrainConfig}; who starts
 * one: {@code daemon.BackendControl} (admin API, shared store) and {@code upstream.DiscoveredPools}
 * (registry snapshots).
 */
package io.sluice.drain;
