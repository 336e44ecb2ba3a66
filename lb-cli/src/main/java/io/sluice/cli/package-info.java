/**
 * {@code sluicectl}, the admin client of a running Sluice daemon: {@link io.sluice.cli.SluiceCtl} is
 * the entry point, one {@code *Command} per sub-command, {@link io.sluice.cli.AdminClient} the HTTP side.
 * It speaks the JSON contract of docs/admin-api.md over {@code java.net.http} (no Netty: it starts fast).
 */
package io.sluice.cli;
