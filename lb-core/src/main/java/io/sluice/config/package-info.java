/**
 * Sluice's configuration: immutable records for listeners, pools, backends, timeouts and limits.
 * {@link io.sluice.config.ConfigLoader} reads YAML into them and reports every error with file, line and key.
 */
package io.sluice.config;
