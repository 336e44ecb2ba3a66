/**
 * Consul as a discovery source: a blocking-query watch on {@code /v1/health/service/<name>} that
 * hands whole snapshots to the daemon. Entry type: {@link io.sluice.discovery.consul.ConsulDiscovery}.
 */
package io.sluice.discovery.consul;
