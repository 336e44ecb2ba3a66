/**
 * The upstreams (Envoy's cluster manager): pools, their health checkers and passive health,
 * discovery, stick-table and slow-start upkeep. Entry type: {@link io.sluice.upstream.Upstreams}.
 */
package io.sluice.upstream;
