/**
 * The socket transport (epoll, or NIO as a fallback): event loop groups and channel classes.
 * Entry type: {@link io.sluice.transport.Transport}.
 */
package io.sluice.transport;
