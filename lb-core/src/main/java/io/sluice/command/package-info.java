/**
 * The {@code sluice} command line (Picocli): run, check, demo, version, with their exit codes.
 * Entry type: {@link io.sluice.command.SluiceCommand}.
 */
package io.sluice.command;
