/**
 * Draining: closing a backend's remaining connections at a capped, jittered rate.
 * Entry type: {@link io.sluice.drain.PacedCloser}.
 */
package io.sluice.drain;
