/** The one duration grammar ({@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 0}) of every Sluice program: {@link io.sluice.duration.Durations}. */
package io.sluice.duration;
