/**
 * The daemon's default logging set up in code (no logback file given). Entry type:
 * {@link io.sluice.logging.DefaultLogging}.
 */
package io.sluice.logging;
