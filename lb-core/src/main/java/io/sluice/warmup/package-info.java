/**
 * The start-up warm-up: the daemon's own synthetic connections through its relay, over loopback,
 * before it takes traffic, so that the JIT compiler has done its work before the first clients come.
 * Entry point: {@link io.sluice.warmup.Warmup}.
 */
package io.sluice.warmup;
