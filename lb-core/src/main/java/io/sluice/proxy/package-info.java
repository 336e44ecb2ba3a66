/**
 * The relay: client-facing and backend-facing handlers, backend connect with retries, close rules;
 * beside it, a connection's handover half (pausing it for another process, adopting one).
 * Entry types: {@link io.sluice.proxy.FrontendInitializer}, {@link io.sluice.proxy.Connection},
 * {@link io.sluice.proxy.PausedConnection}, {@link io.sluice.proxy.AdoptedConnection}.
 */
package io.sluice.proxy;
