/** Probes of the local app (TCP connect, HTTP GET): {@link io.sluice.agent.probe.AppProbe}. */
package io.sluice.agent.probe;
