/**
 * The access log: one JSON line per closed client connection on its own logger.
 * Entry type: {@link io.sluice.accesslog.AccessLog}.
 */
package io.sluice.accesslog;
