/**
 * Sluice's configuration: immutable records for listeners (tcp, and tls with SNI routes), PROXY protocol
 * settings, pools, backends, timeouts and limits.
 * {@link io.sluice.config.ConfigLoader} reads YAML into them and reports every error with file, line and key.
 */
package io.sluice.config;
