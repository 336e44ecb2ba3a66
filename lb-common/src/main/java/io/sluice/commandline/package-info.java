/**
 * What the three command lines ({@code sluice}, {@code sluicectl}, {@code sluice-agent}) agree on: how
 * a bad argument is reported, and {@code --help}/{@code --version} on every sub-command.
 * Entry type: {@link io.sluice.commandline.CommandLines}.
 */
package io.sluice.commandline;
