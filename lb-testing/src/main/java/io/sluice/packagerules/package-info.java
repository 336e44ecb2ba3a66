/**
 * The package rules every module's ArchitectureTest shares (docs/architecture.md, "Package rules"):
 * {@link io.sluice.packagerules.CommonRules} for all main code, {@link io.sluice.packagerules.CommandRules}
 * for the programs' Picocli commands, and {@link io.sluice.packagerules.MainClassesOf}, which limits a
 * test to its own module's compiled main classes.
 */
package io.sluice.packagerules;
