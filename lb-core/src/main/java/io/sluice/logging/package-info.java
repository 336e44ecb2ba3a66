/**
 * The daemon's default logging set up in code (no logback file given), and rate-limited logging
 * for events that can repeat thousands of times a second. Entry types:
 * {@link io.sluice.logging.DefaultLogging}, {@link io.sluice.logging.ThrottledLog}.
 */
package io.sluice.logging;
