/**
 * The daemon as a composition root: it builds the upstreams, listeners, control plane, admin
 * endpoint and handover, runs their start and stop in order, and derives readiness from one
 * lifecycle phase. Entry type: {@link io.sluice.daemon.SluiceDaemon}.
 */
package io.sluice.daemon;
