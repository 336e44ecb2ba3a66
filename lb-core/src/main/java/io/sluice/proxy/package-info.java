/**
 * The relay: client-facing and backend-facing handlers, backend connect with retries, close rules.
 * Entry types: {@link io.sluice.proxy.FrontendInitializer}, {@link io.sluice.proxy.Connection}.
 */
package io.sluice.proxy;
