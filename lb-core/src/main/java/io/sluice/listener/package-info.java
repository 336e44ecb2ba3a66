/**
 * Listeners: the bound sockets that accept client connections, and their socket options.
 * Entry type: {@link io.sluice.listener.Listener}.
 */
package io.sluice.listener;
