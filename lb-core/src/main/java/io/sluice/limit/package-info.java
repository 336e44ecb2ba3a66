/**
 * Connection limits: daemon-wide and per source address, checked when a connection is accepted.
 * Entry type: {@link io.sluice.limit.ConnectionLimiter}.
 */
package io.sluice.limit;
