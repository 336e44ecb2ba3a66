/**
 * Client stickiness: the sticky key of a client address and the per-node stick table.
 * Entry types: {@link io.sluice.sticky.StickyKeyExtractor}, {@link io.sluice.sticky.StickTable}.
 */
package io.sluice.sticky;
