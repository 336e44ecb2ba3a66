/**
 * Connection handover: a new Sluice process takes the listening sockets, every established
 * connection (its descriptors and the bytes not yet written), connections in their prelude, the
 * stick tables and the admin overrides from the running one, over a UNIX socket, so an upgrade or
 * a JVM flag change drops nothing. {@link io.sluice.handover.HandOff} is the old process's side,
 * {@link io.sluice.handover.Takeover} the new one's; docs/handover.md has the protocol and who owns
 * a connection at each step.
 */
package io.sluice.handover;
