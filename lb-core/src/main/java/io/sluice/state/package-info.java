/**
 * Admin overrides that survive a restart: the local JSON store (fleet-wide stores come with discovery).
 * Entry type: {@link io.sluice.state.OverrideStore}.
 */
package io.sluice.state;
